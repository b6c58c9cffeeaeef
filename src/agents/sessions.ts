// Sending a message to an agent: the one client-side entry the chat webhook and the CLI use.
// Signal-with-start, so the first message starts the session and later ones queue in it, and a
// message is accepted by the Temporal server even while every worker is down.
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
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
  const { agentId, conversationKey, conversation } = address;
  if (!isSessionKeyPart(agentId) || !isSessionKeyPart(conversationKey)) {
    throw new AirlockError(
      'session_bad_key',
      `agent id and conversation key must be 1–80 of A-Z a-z 0-9 _ . - (got "${agentId}", "${conversationKey}")`,
    );
  }
  const workflowId = sessionWorkflowId(agentId, conversationKey);
  const input: SessionInput = { agentId, conversationKey, conversation };
  await client.workflow.signalWithStart<typeof agentSessionWorkflow, [SessionMessage]>(
    'agentSessionWorkflow',
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [input],
      signal: sessionMessageSignal,
      signalArgs: [message],
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
