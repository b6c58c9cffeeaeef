// People talking to agents from chat: a direct message to the bot or a mention of it (Teams or
// Slack) goes to an agent's session. The agent is the one named at the start of the text, else the
// one this thread talked to last, else the first the sender may talk to. The sender is the verified
// platform identity (as for approval clicks) and must be one of the agent's talkers; otherwise, or
// when Temporal cannot be reached, the bot answers in the thread and nothing starts; messages from
// bots get no answer. Never throws: the platform always gets its 200, so it does not redeliver a
// message we already answered.
import type { Client } from '@temporalio/client';
import type { StateAdapter } from 'chat';
import type { Config } from '../../config.ts';
import { hasCode } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { mayTalk, resolveAgent, type ResolvedAgent } from '../../policy/agents.ts';
import { expandApprovers } from '../../policy/resolve.ts';
import type { LoadedPolicy, PolicySet } from '../../policy/types.ts';
import { policyUserOf } from '../../policy/users.ts';
import { sendToAgent } from '../../agents/sessions.ts';
import type { SessionSender } from '../../../workflows/agent-session/messages.ts';
import type { ApproverIdentity } from '../../../workflows/sensitive-action/messages.ts';
import { addressedAgent, conversationKeyOf, withoutBotMention } from './address.ts';
import type { ChatMessage } from './message.ts';
import { isTemporalUnreachable } from '../../temporal/reachability.ts';

/** Hands one message (a DM or a mention of the bot) to its agent, or answers why not. */
export type ToAgent = (message: ChatMessage) => Promise<void>;

/** Options of the agent router. */
export interface AgentRouterOptions {
  client: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
  /** The current policy set (re-read when its files change). */
  policy: () => Promise<LoadedPolicy>;
  /** The Chat SDK state: the agent each thread talked to last is kept there. */
  state: StateAdapter;
  logger: Logger;
  /** How long handing a message to Temporal may take before it counts as undelivered (ms). */
  deliverTimeoutMs?: number;
}

/** How long a thread remembers the agent it talked to last. */
const lastAgentTtlMs = 30 * 86_400_000;
const lastAgentKey = (threadId: string) => `airlock:agent-chat:last:${threadId}`;

/** The refusal for someone who is not among an agent's talkers. */
export const notATalker = (agent: { id: string; displayName: string }): string =>
  `You are not on the list of people who may talk to ${agent.displayName} (${agent.id}). Ask your Airlock administrator to add you to its talkers.`;

/** Create the router. */
export function createAgentRouter(options: AgentRouterOptions): ToAgent {
  const { client, config, state, logger } = options;
  const deliverTimeoutMs = options.deliverTimeoutMs ?? 3000;

  return async (message) => {
    const { platform, thread, arrival, answer } = message;
    // A bot's message (ours echoed back by Slack, or another app's) is no one talking to an agent;
    // answering it could start two bots answering each other.
    if (message.fromBot) return;
    if (!arrival) {
      logger.warn({ platform }, 'message to the bot without a verified sender; ignored');
      return;
    }
    const person = arrival.person;
    let policy: LoadedPolicy;
    try {
      policy = await options.policy();
    } catch (err) {
      logger.error({ err }, 'could not load the policy for a message to an agent');
      return answer(
        'Your message could not be delivered: the Airlock policy cannot be read just now. Try again in a minute.',
      );
    }
    const set = policy.set;
    const addressed = addressedAgent(withoutBotMention(message.text, message.botNames), set.agents);
    if (addressed.kind === 'unknown') {
      return answer(`There is no agent called "${addressed.name}". ${agentList(set, person)}`);
    }
    const remembered = await state.get<string>(lastAgentKey(thread.id)).catch(() => null);
    const agentId =
      addressed.kind === 'agent'
        ? addressed.agentId
        : (set.agents.find((a) => a.id === remembered)?.id ??
          set.agents.find((a) => mayTalk({ talkers: expandApprovers(set, a.talkers) }, person))
            ?.id);
    if (!agentId) return answer(`You may not talk to any agent here. ${agentList(set, person)}`);

    let agent: ResolvedAgent;
    try {
      agent = resolveAgent(set, agentId);
    } catch (err) {
      if (!hasCode(err, 'agent_no_model')) throw err;
      const a = set.agents.find((x) => x.id === agentId);
      return answer(
        `${a?.displayName ?? agentId} (${agentId}) cannot run: it has no model in the Airlock policy. Ask your Airlock administrator to give it one.`,
      );
    }
    if (!mayTalk(agent, person)) {
      logger.info({ agentId, sender: person.displayName }, 'refused a message to an agent');
      return answer(notATalker(agent));
    }
    const text = addressed.text;
    await state.set(lastAgentKey(thread.id), agent.id, lastAgentTtlMs).catch((err: unknown) => {
      logger.warn({ err }, 'could not remember the agent of a thread');
    });
    if (!text) return answer(`You are talking to ${agent.displayName} now.`);

    const displayName = message.senderName;
    const from: SessionSender = {
      platform,
      userId: person.userId,
      ...(person.aadObjectId ? { aadObjectId: person.aadObjectId } : {}),
      ...(person.tenantId ? { tenantId: person.tenantId } : {}),
      displayName,
      policyUserId: policyUserOf(set.users, person),
    };
    try {
      const workflowId = await client.connection.withDeadline(Date.now() + deliverTimeoutMs, () =>
        sendToAgent(
          client,
          config,
          {
            agentId: agent.id,
            conversationKey: conversationKeyOf(platform, thread.id),
            conversation: {
              platform,
              threadId: thread.id,
              label: message.label,
            },
            agent,
          },
          { messageId: arrival.id, from, text, receivedAt: new Date().toISOString() },
        ),
      );
      logger.info({ workflowId, sender: displayName }, 'message handed to an agent');
    } catch (err) {
      // Too many conversations of this person open with the agent: the refusal says so.
      if (hasCode(err, 'session_limit')) return answer((err as Error).message);
      const unreachable = isTemporalUnreachable(err);
      logger[unreachable ? 'warn' : 'error'](
        { err, agentId },
        'could not hand a message to an agent',
      );
      await answer(
        `Your message could not be delivered to ${agent.displayName}${unreachable ? ': Airlock cannot reach its workflow service just now' : ''}. Try again in a minute.`,
      );
    }
  };
}

/** "You may talk to: Support (support-bot), …" for this person, or who to ask. */
function agentList(set: PolicySet, person: ApproverIdentity): string {
  const mine = set.agents.filter((a) =>
    mayTalk({ talkers: expandApprovers(set, a.talkers) }, person),
  );
  return mine.length
    ? `You may talk to: ${mine.map((a) => `${a.displayName ?? a.id} (${a.id})`).join(', ')}.`
    : 'Ask your Airlock administrator to add you to an agent’s talkers.';
}
