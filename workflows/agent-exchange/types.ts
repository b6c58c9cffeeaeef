// The data agentExchangeWorkflow keeps in its history and the activities it calls, as types.
// The link is pinned once (from an activity), so a policy edit never changes a running exchange.
import type { SessionSender } from '../agent-session/messages.ts';
import type { ExchangeAnswer, SanitizedText } from './messages.ts';

/** Input of agentExchangeWorkflow. */
export interface ExchangeInput {
  /** The asking agent and its session (the exchange is that session's child). */
  from: string;
  askerSessionWorkflowId: string;
  askerSessionId: string;
  /** A readable name of the asker's conversation, for cards. */
  conversation: string;
  to: string;
  /** The question as the agent wrote it (sanitized before anything else sees it). */
  question: string;
  /** The person whose message led to the question (the requester on approval cards), if any. */
  requester: SessionSender | null;
  /** Everyone else whose message was in the asking turn: none of them may approve. */
  coRequesters?: SessionSender[];
}

/** How one direction crosses: the sanitizer level and the longest text let through. */
export interface Crossing {
  level: 'lenient' | 'standard' | 'strict';
  maxLength: number;
}

/** The link the policy has for `from -> to`, resolved and pinned. */
export interface PinnedLink {
  from: string;
  to: string;
  approveQuestion: boolean;
  approveAnswer: boolean;
  question: Crossing;
  answer: Crossing;
  /** How long the target may take to answer (ms). */
  timeLimitMs: number;
  policyHash: string;
  /** Set when the target is an external A2A agent (`to: a2a:<name>`): where, and its key. */
  external?: { cardUrl: string; credential: string | null };
}

/** The link and the sanitized question, or why the exchange cannot start. */
export type PreparedExchange =
  | { ok: true; link: PinnedLink; question: SanitizedText }
  | { ok: false; reason: string; policyHash: string };

/** One audit event of an exchange (the activity adds the chain fields). */
export interface ExchangeAuditEvent {
  /** Unique per event: retries append once. */
  id: string;
  type:
    | 'exchange-requested'
    | 'exchange-refused'
    | 'exchange-question-approved'
    | 'exchange-delivered'
    | 'exchange-answered'
    | 'exchange-completed'
    | 'exchange-ended';
  workflowId: string;
  from: string;
  to: string;
  detail?: Record<string, unknown>;
}

/** Activities used by agentExchangeWorkflow (implemented in activities/agent-exchange.ts). */
export interface AgentExchangeActivities {
  /** Resolve and pin the link, sanitize the question; audits `exchange-requested` or `-refused`. */
  prepareExchange(input: {
    workflowId: string;
    from: string;
    to: string;
    question: string;
  }): Promise<PreparedExchange>;
  /** Sanitize the answer for this link's answer direction. */
  sanitizeAnswer(input: {
    workflowId: string;
    link: PinnedLink;
    answer: string;
  }): Promise<SanitizedText>;
  /**
   * A reason for the asker that holds outside text (an approver's typed reason): sanitized at the
   * link's answer level, capped, with Airlock's note of what was removed.
   */
  sanitizeReason(input: { workflowId: string; link: PinnedLink; reason: string }): Promise<string>;
  /** Append an exchange event to the audit log. */
  auditExchange(event: ExchangeAuditEvent): Promise<void>;
  /**
   * Ask an external A2A agent (the link's `external`): send the question, poll its task with
   * heartbeats until a final state, and return its text answer (throws when it fails).
   */
  askExternalAgent(input: {
    workflowId: string;
    link: PinnedLink;
    question: string;
  }): Promise<ExchangeAnswer>;
  /**
   * Deliver the question to the target agent's session for this asker (signal-with-start), as a
   * message from another agent carrying the exchange's workflow id. Returns the session's id.
   */
  deliverQuestion(input: {
    workflowId: string;
    from: string;
    to: string;
    question: string;
  }): Promise<string>;
}
