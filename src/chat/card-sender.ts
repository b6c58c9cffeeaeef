// The approval card sender the worker uses: plans where each request's cards go (a Teams channel
// or chat, approvers' Teams or Slack direct messages, a Slack channel), posts one card per
// activity, and edits every card in place as the request progresses.
import type { ApprovalCardSender } from '../../activities/actions.ts';
import { cardModel } from './card-model.ts';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CardTarget } from '../../workflows/sensitive-action/types.ts';
import type { ApprovalBot } from './bot.ts';

/** Build the card sender over `bot`. */
export function createCardSender(
  bot: ApprovalBot,
  config: Config,
  logger: Logger,
): ApprovalCardSender {
  return {
    async plan({ workflowId, decision, escalationLevel }) {
      const targets: CardTarget[] = [];
      const teams = decision.cards.teams;
      if (teams && bot.teamsMode !== 'off') {
        // The policy names the conversation; the connector URL comes from it or from config.
        const conversationId =
          teams.channel?.conversationId ?? config.AIRLOCK_TEAMS_CONVERSATION_ID;
        const serviceUrl = teams.channel?.serviceUrl ?? config.AIRLOCK_TEAMS_SERVICE_URL;
        const channel = conversationId && serviceUrl ? { conversationId, serviceUrl } : undefined;
        // Escalations go to the new approvers only; the channel already has its card.
        if (channel && !escalationLevel)
          targets.push({ platform: 'teams', ...channel, audience: 'channel' });
        if (teams.directMessages || (escalationLevel && !channel)) {
          for (const a of decision.approvers) {
            if (!a.aadObjectId) continue;
            try {
              const dm = await bot.openTeamsDm(a.teamsUserId ?? a.aadObjectId, a.tenantId);
              if (dm.platform === 'teams') targets.push({ ...dm, audience: `dm:${a.id}` });
            } catch (err) {
              logger.warn(
                { err, approver: a.id, workflowId },
                'could not open a Teams direct message; skipped',
              );
            }
          }
        }
      }
      const slack = decision.cards.slack;
      const slackChannel = slack?.channel ?? config.AIRLOCK_SLACK_CHANNEL;
      if (slack && bot.slackEnabled && slackChannel && !escalationLevel) {
        targets.push({
          platform: 'slack',
          conversationId: slackChannel,
          audience: 'slack-channel',
        });
      }
      if (
        slack &&
        bot.slackEnabled &&
        (slack.directMessages || (escalationLevel && !slackChannel))
      ) {
        for (const a of decision.approvers) {
          if (!a.slackUserId) continue;
          try {
            const dm = await bot.openSlackDm(a.slackUserId);
            if (dm.platform === 'slack')
              targets.push({
                platform: 'slack',
                conversationId: dm.channel,
                audience: `slack-dm:${a.id}`,
              });
          } catch (err) {
            logger.warn(
              { err, approver: a.id, workflowId },
              'could not open a Slack direct message; skipped',
            );
          }
        }
      }
      if (targets.length === 0) {
        throw new AirlockError(
          'chat_no_target',
          `no chat conversation to post the approval card for ${workflowId} into; configure AIRLOCK_TEAMS_CONVERSATION_ID and AIRLOCK_TEAMS_SERVICE_URL, a policy cards.teams.channel, or Slack`,
        );
      }
      return targets;
    },

    async post(input) {
      const { workflowId, request, decision, deadline, target, escalationLevel, findings } = input;
      const notes = escalationLevel ? [`Escalated (level ${escalationLevel})`] : [];
      const pending = { state: 'pending' as const, notes };
      const model = {
        ...cardModel(workflowId, request, decision, deadline, pending, findings),
        ...(input.runId ? { runId: input.runId } : {}),
      };
      const ref = await bot.postApprovalCard(
        target.platform === 'teams'
          ? {
              platform: 'teams',
              conversationId: target.conversationId,
              serviceUrl: target.serviceUrl ?? '',
              ...(target.conversationType ? { conversationType: target.conversationType } : {}),
            }
          : { platform: 'slack', channel: target.conversationId },
        model,
      );
      return { ...ref, audience: target.audience };
    },

    async update({ workflowId, request, decision, deadline, cards, view, findings, runId }) {
      const model = {
        ...cardModel(workflowId, request, decision, deadline, view, findings),
        ...(runId ? { runId } : {}),
      };
      // Every card is attempted; one failure fails the activity (which retries) after the rest.
      const results = await Promise.allSettled(cards.map((c) => bot.updateApprovalCard(c, model)));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
