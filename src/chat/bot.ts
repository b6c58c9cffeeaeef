// The posting side of Airlock's chat surface: approval cards posted and edited in place on Teams
// and Slack, direct message conversations opened with approvers, and the conversations known to
// post into. The worker uses it to show requests; receiving (receiver.ts) is separate.
import type { Config } from '../config.ts';
import type { ApprovalCardModel } from './cards.ts';
import type { CardRef, ChatTarget, KnownConversation } from './agents/conversations.ts';
import { createChatPlatforms, type ChatPlatforms, type ChatPlatformsOptions } from './platforms.ts';
import { slackApprovalBlocks, teamsApprovalCard } from './platform-cards.ts';

/** Options of the approval bot: those of the chat platforms it posts on. */
export type ApprovalBotOptions = ChatPlatformsOptions;

/** The approval bot: posts and edits cards, opens direct messages. */
export interface ApprovalBot extends Pick<ChatPlatforms, 'chat' | 'teamsMode' | 'slackEnabled'> {
  postApprovalCard(target: ChatTarget, model: ApprovalCardModel): Promise<CardRef>;
  updateApprovalCard(ref: CardRef, model: ApprovalCardModel): Promise<void>;
  /** Open (or reuse) a 1:1 Teams conversation with a user, by AAD object id. */
  openTeamsDm(userId: string, tenantId?: string): Promise<ChatTarget>;
  /** Open (or reuse) the Slack direct message channel with a user (conversations.open). */
  openSlackDm(userId: string): Promise<ChatTarget>;
  knownConversations(): KnownConversation[];
}

/** Create the chat platforms and the bot posting on them; throws AirlockError on unsafe config. */
export async function createApprovalBot(options: ApprovalBotOptions): Promise<ApprovalBot> {
  return approvalBot(await createChatPlatforms(options), options.config);
}

/** The bot posting on `platforms` (shared with a receiver in the webhook process). */
export function approvalBot(platforms: ChatPlatforms, config: Config): ApprovalBot {
  const { chat, teams, slack, conversations } = platforms;
  return {
    chat,
    teamsMode: platforms.teamsMode,
    slackEnabled: platforms.slackEnabled,
    knownConversations: () => conversations.list(),
    async postApprovalCard(target, model) {
      if (target.platform === 'teams') {
        const threadId = teams().encodeThreadId({
          conversationId: target.conversationId,
          serviceUrl: target.serviceUrl,
          ...(target.conversationType ? { conversationType: target.conversationType } : {}),
        });
        const messageId = await teams().postCard(threadId, teamsApprovalCard(model));
        return {
          platform: 'teams',
          conversationId: target.conversationId,
          messageId,
          serviceUrl: target.serviceUrl,
          ...(target.conversationType ? { conversationType: target.conversationType } : {}),
        };
      }
      const { blocks, text } = slackApprovalBlocks(model);
      const messageId = await slack().postBlocks(target.channel, blocks, text);
      return { platform: 'slack', conversationId: target.channel, messageId };
    },
    async openTeamsDm(userId, tenantId) {
      // The adapter's openDM reads the user's connector and tenant from chat state, where it
      // caches them from the user's own messages; seed them from what we know when it has none.
      const state = chat.getState();
      const serviceUrl = config.AIRLOCK_TEAMS_SERVICE_URL;
      if (serviceUrl && !(await state.get(`teams:serviceUrl:${userId}`))) {
        await state.set(`teams:serviceUrl:${userId}`, serviceUrl);
      }
      const tenant = tenantId ?? config.AIRLOCK_TEAMS_TENANT_ID;
      if (tenant && !(await state.get(`teams:tenantId:${userId}`))) {
        await state.set(`teams:tenantId:${userId}`, tenant);
      }
      const decoded = teams().decodeThreadId(await teams().openDM(userId));
      return {
        platform: 'teams',
        conversationId: decoded.conversationId,
        serviceUrl: decoded.serviceUrl,
        conversationType: 'personal',
      };
    },
    async openSlackDm(userId) {
      const { channel } = slack().decodeThreadId(await slack().openDM(userId));
      return { platform: 'slack', channel };
    },
    async updateApprovalCard(ref, model) {
      // Edit by the id stored when the card was posted: a click's own message id is not reliable
      // (real Teams channel clicks carry the card id only in channelData.legacy).
      if (ref.platform === 'teams') {
        const threadId = teams().encodeThreadId({
          conversationId: ref.conversationId,
          serviceUrl: ref.serviceUrl ?? '',
          ...(ref.conversationType ? { conversationType: ref.conversationType } : {}),
        });
        await teams().editCard(threadId, ref.messageId, teamsApprovalCard(model));
        return;
      }
      const { blocks, text } = slackApprovalBlocks(model);
      await slack().editBlocks(ref.conversationId, ref.messageId, blocks, text);
    },
  };
}
