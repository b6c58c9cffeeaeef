// Messages of agentSessionWorkflow: the inbound-message signal (sent by the chat webhook and the
// CLI, usually with signal-with-start), the status query, and the update the gateway sends when the
// agent asks for a sensitive action. Chat, CLI and gateway code import this file, never workflow.ts.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** Who wrote a message to an agent, as the webhook (or the CLI) verified it. */
export interface SessionSender {
  /** `agent`: another agent, through an approved exchange (userId is its agent id). */
  platform: 'teams' | 'slack' | 'cli' | 'agent';
  /** The platform's user id (Teams `from.id`, Slack user id, the operator's login for the CLI). */
  userId: string;
  aadObjectId?: string;
  tenantId?: string;
  displayName: string;
  /** The policy user this person is (checked as a talker before the message was sent). */
  policyUserId: string | null;
}

/** Where the session's replies go: a chat thread, or nowhere but the status query (the CLI). */
export interface ConversationRef {
  /** `agent`: the session answers another agent's questions; replies go back to the exchange. */
  platform: 'teams' | 'slack' | 'cli' | 'agent';
  /** The Chat SDK thread id replies are posted to (absent for the CLI). */
  threadId?: string;
  /** A human-readable name for the UI and cards, e.g. "Teams chat with Riley". */
  label: string;
}

/** One message for the agent. */
export interface SessionMessage {
  /** Unique per delivery (the platform's message id): a duplicate delivery is dropped. */
  messageId: string;
  from: SessionSender;
  text: string;
  /** ISO time the webhook (or CLI) received it. */
  receivedAt: string;
  /** Set on a question from another agent: the exchange the turn's reply answers. */
  exchange?: { workflowId: string; from: string };
}

/** A sensitive action the agent asks for through the gateway, during turn `turn`. */
export interface AgentActionAsk {
  turn: number;
  capability: string;
  method: string;
  path: string;
  body?: unknown;
  purpose: string;
}

/**
 * An MCP call the turn activity executed on its fast path during turn `turn` (a rule allowed it at
 * once): the ask and the result the agent got, kept as a lookup of the turn.
 */
export interface AgentLookup {
  turn: number;
  capability: string;
  path: string;
  body?: unknown;
  result: unknown;
}

/** A question the agent asks another agent through the gateway, during turn `turn`. */
export interface AgentQuestionAsk {
  turn: number;
  to: string;
  question: string;
}

/** What the gateway tells the agent at once about its question: it is on its way, or refused. */
export type AgentQuestionAnswer =
  { status: 'pending'; id: string } | { status: 'refused'; id: string; reason: string };

/** What the gateway tells the agent at once about an action it asked for. */
export type AgentActionAnswer =
  | { status: 'executed'; id: string; result: unknown }
  | { status: 'pending'; id: string }
  | { status: 'denied'; id: string; reason: string };

/** One reply the agent gave, kept (the last few) in the status for the CLI. */
export interface SessionReply {
  turn: number;
  text: string;
  at: string;
}

/** What a session is doing. */
export type SessionState = 'waiting' | 'working' | 'idle' | 'closed';

/** The status query's answer. */
export interface SessionStatus {
  agentId: string;
  sessionId: string;
  conversation: ConversationRef;
  state: SessionState;
  /** Turns run so far (across continue-as-new). */
  turn: number;
  /** Messages and outcomes waiting for the next turn. */
  queued: number;
  /** Sensitive actions still waiting for a decision. */
  pendingActions: { id: string; workflowId: string; summary: string }[];
  lastActivityAt: string;
  tokensUsed: number;
  /** The last replies (at most 20), oldest first. */
  replies: SessionReply[];
  /** The Docker host the sandbox lives on, when pinned to one. */
  host?: string | null;
}

/** A message for the agent (drops duplicates by messageId). */
export const sessionMessageSignal = defineSignal<[SessionMessage]>('sessionMessage');

/** Close the session: the sandbox is removed, the workspace volume stays. */
export const closeSessionSignal = defineSignal<[{ by: string }]>('closeSession');

/** The session's status. */
export const sessionStatusQuery = defineQuery<SessionStatus>('sessionStatus');

/** Sent by the gateway: ask another agent a question; answered at once (the answer comes later). */
export const agentAskUpdate = defineUpdate<AgentQuestionAnswer, [AgentQuestionAsk]>('agentAsk');

/** Sent by the gateway: ask for a sensitive action; answered at once, never after a human. */
export const agentActionUpdate = defineUpdate<AgentActionAnswer, [AgentActionAsk]>('agentAction');

/** Sent by the turn activity: an allowed MCP call it executed itself, a lookup of the turn. */
export const agentLookupSignal = defineSignal<[AgentLookup]>('agentLookup');
