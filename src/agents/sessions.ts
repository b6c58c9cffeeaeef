// Sending a message to an agent: the one client-side entry the chat webhook and the CLI use.
// Signal-with-start, so the first message starts the session and later ones queue in it, and a
// message is accepted by the Temporal server even while every worker is down. A session records
// its talker (the person who opened it), whose memory it mounts under the `talker` scope; in that
// scope each person in a shared chat thread has a session of their own. A person may have only so
// many sessions with an agent open (not idle) at once: past that a new one is refused, with a
// message saying so.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { ResolvedAgent } from '../policy/agents.ts';
import { sessionWorkflowId, isSessionKeyPart } from '../../workflows/agent-session/ids.ts';
import {
  sessionMessageSignal,
  sessionStatusQuery,
  type ConversationRef,
  type SessionMessage,
  type SessionStatus,
} from '../../workflows/agent-session/messages.ts';
import { AgentId, SessionState } from '../../workflows/agent-session/search.ts';
import type { SessionInput } from '../../workflows/agent-session/types.ts';
import type { agentSessionWorkflow } from '../../workflows/agent-session/workflow.ts';

/** Where a message goes: the agent and the conversation (its key names the session). */
export interface SessionAddress {
  agentId: string;
  conversationKey: string;
  conversation: ConversationRef;
  /** The agent's memory scope and per-talker cap (from the policy); unset: session, no cap. */
  agent?: Pick<ResolvedAgent, 'memory' | 'maxSessionsPerTalker' | 'displayName'>;
}

/** The talker a message's sender is: the policy user, else the platform's id (agents, A2A). */
export const talkerOf = (from: SessionMessage['from']): string =>
  from.policyUserId ?? `${from.platform}:${from.userId}`;

/** The session key of `address` for `talker`: per person in a chat thread under `talker` memory. */
export function sessionKeyFor(address: SessionAddress, talker: string): string {
  const { conversationKey, conversation } = address;
  const shared = conversation.platform === 'teams' || conversation.platform === 'slack';
  if (address.agent?.memory !== 'talker' || !shared) return conversationKey;
  const hash = createHash('sha256').update(talker).digest('hex').slice(0, 12);
  return `${conversationKey}.${hash}`;
}

/**
 * Queue `message` in the agent's session for this conversation, starting the session if needed.
 * The caller has checked that the sender may talk to the agent. Returns the session's workflow id.
 */
export async function sendToAgent(
  client: Client,
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>,
  address: SessionAddress,
  message: SessionMessage,
): Promise<string> {
  const { agentId, conversation } = address;
  const talker = talkerOf(message.from);
  const conversationKey = sessionKeyFor(address, talker);
  if (!isSessionKeyPart(agentId) || !isSessionKeyPart(conversationKey)) {
    throw new AirlockError(
      'session_bad_key',
      `agent id and conversation key must be 1–80 of A-Z a-z 0-9 _ . - (got "${agentId}", "${conversationKey}")`,
    );
  }
  const workflowId = sessionWorkflowId(agentId, conversationKey);
  // Only people are capped: another agent's (or an A2A client's) questions share one session.
  if (address.agent && message.from.platform !== 'agent')
    await checkTalkerCap(client, workflowId, agentId, talker, address.agent);
  const input: SessionInput = { agentId, conversationKey, conversation, talker };
  await client.workflow.signalWithStart<typeof agentSessionWorkflow, [SessionMessage]>(
    'agentSessionWorkflow',
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [input],
      signal: sessionMessageSignal,
      signalArgs: [message],
      memo: { talker },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: AgentId, value: agentId },
        { key: SessionState, value: 'waiting' },
      ]),
      staticSummary: `${agentId} · ${conversation.label}`,
      staticDetails: `Agent session ${workflowId}: messages queue here, each turn runs in the agent's sandbox.`,
    },
  );
  return workflowId;
}

/**
 * Refuse a new (or idle) session of `talker` with the agent when they already have
 * `maxSessionsPerTalker` others open and not idle. A message to a session that is working or
 * waiting is never refused. Counted from Temporal's visibility, which lags a little: two sessions
 * opened in the same instant may both pass.
 */
async function checkTalkerCap(
  client: Client,
  workflowId: string,
  agentId: string,
  talker: string,
  agent: NonNullable<SessionAddress['agent']>,
): Promise<void> {
  const described = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if ((err as { name?: string }).name === 'WorkflowNotFoundError') return null;
      throw err;
    });
  const state = described?.typedSearchAttributes.get(SessionState);
  if (described?.status.name === 'RUNNING' && state !== 'idle') return;
  const query =
    `WorkflowType = 'agentSessionWorkflow' AND ${AgentId.name} = '${agentId}' AND ` +
    `ExecutionStatus = 'Running' AND ${SessionState.name} != 'idle'`;
  let open = 0;
  for await (const run of client.workflow.list({ query })) {
    if (run.workflowId === workflowId || run.memo?.['talker'] !== talker) continue;
    if (++open >= agent.maxSessionsPerTalker) {
      throw new AirlockError(
        'session_limit',
        `You already have ${open} conversation${open === 1 ? '' : 's'} with ${agent.displayName} open, the most one person may have at once. Continue in one of them, or wait until one goes idle, then write again.`,
      );
    }
  }
}

/** The status of a session, or null when it does not exist. */
export async function sessionStatus(
  client: Client,
  workflowId: string,
): Promise<SessionStatus | null> {
  try {
    return await client.workflow.getHandle(workflowId).query(sessionStatusQuery);
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return null;
    throw err;
  }
}
