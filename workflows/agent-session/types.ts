// The data agentSessionWorkflow keeps in its history and the activities it calls, as types.
// The conversation itself lives in the agent's workspace; the history holds the queue, pointers
// and what the agent said, so continue-as-new carries little.
import type { RequestOrigin } from '../sensitive-action/request.ts';
import type { ConversationRef, SessionMessage, SessionReply, SessionSender } from './messages.ts';

/** What the session knows of the running turn, that every request of the turn carries. */
export interface TurnAsker {
  /** The last person who wrote (the requester). */
  from: SessionMessage['from'] | null;
  /** What started the turn, and every person whose message is in it. */
  origin: TurnOrigin | null;
  /** The message that led to the turn (its first 1000 characters). */
  message: string | null;
}

/** The origin of a turn's requests (computed by origin.ts, kept in history). */
export interface TurnOrigin {
  origins: RequestOrigin[];
  /** Every person whose message was in the turn, in order, each once. */
  senders: SessionSender[];
}

/** One piece of a turn's input: a message from a person, or the outcome of an earlier action. */
export type TurnItem =
  | { kind: 'message'; message: SessionMessage }
  | {
      kind: 'action-outcome';
      id: string;
      workflowId: string;
      outcome: string;
      message: string;
      result?: unknown;
    }
  | {
      /** The end of a question this agent asked another agent: the sanitized answer, or why not. */
      kind: 'exchange-result';
      id: string;
      workflowId: string;
      to: string;
      state: string;
      /** Only when the exchange completed: the sanitized, approved answer. */
      answer?: string;
      message: string;
    };

/** Input of agentSessionWorkflow (also what continue-as-new carries). */
export interface SessionInput {
  agentId: string;
  conversationKey: string;
  conversation: ConversationRef;
  /** Who opened the session (policy user, or platform:id): whose memory the `talker` scope mounts. */
  talker?: string;
  /** Set by continue-as-new: the state the previous run handed over. */
  carried?: SessionCarry;
}

/** What a session hands to its next run. */
export interface SessionCarry {
  turn: number;
  queue: TurnItem[];
  seenMessageIds: string[];
  tokensUsed: number;
  replies: SessionReply[];
  lastActivityAt: string;
  boxRunning: boolean;
  /** The last person who wrote; the requester of the agent's actions. */
  lastSender: SessionMessage['from'] | null;
  /** What started the last turn (origin.ts); absent in runs from before origins. */
  origin?: TurnOrigin | null;
  /** The host the sandbox lives on (its turns go to that host's queue). */
  host?: string | null;
}

/** What identifies a session's sandbox and gateway. */
export interface SessionRef {
  workflowId: string;
  /** `<agentId>:<conversationKey>`: the box label and the gateway's session. */
  sessionId: string;
  agentId: string;
  /** The session's talker (absent in sessions started before it was recorded). */
  talker?: string;
}

/** Input of the turn activity. */
export interface TurnInput extends SessionRef {
  turn: number;
  items: TurnItem[];
  conversation: ConversationRef;
  /** Tokens the session has used before this turn (the gateway enforces the budget). */
  tokensUsed: number;
  /** Post the reply from the activity (saves a workflow task); false for answers to exchanges. */
  postReply?: boolean;
  /**
   * Who asks in this turn, as the session's requests carry it (request.ts): the fast path builds
   * its requests from it. Absent in turns scheduled before it existed: then no fast path.
   */
  asker?: TurnAsker;
}

/** What one turn produced. */
export interface TurnResult {
  /** The agent's final reply for the turn ('' when it said nothing). */
  reply: string;
  tokensUsed: number;
  /** The sandbox was created for this turn (cold), rather than found running or stopped. */
  boxCreated: boolean;
  /** How long the agent may sit idle before its sandbox is stopped (from the policy). */
  idleTimeoutMs: number;
  /** The activity posted the reply itself (keyed by turn); absent in older histories. */
  posted?: boolean;
  /** The host the turn ran on when its worker polls a host queue: later turns go there. */
  host?: string | null;
}

/** Session activities that need no sandbox (activities/agent-text.ts; any worker runs them). */
export interface AgentTextActivities {
  /**
   * An action's outcome reason that holds outside text (an approver's typed reason, an execution
   * error): sanitized (strict), capped, with Airlock's note of what was removed.
   */
  sanitizeOutcomeReason(input: { agentId: string; reason: string }): Promise<string>;
}

/** Activities used by agentSessionWorkflow (implemented in activities/agent-session.ts). */
export interface AgentSessionActivities {
  /** Ensure the sandbox and gateway, hand the items to the agent, return its reply. */
  runAgentTurn(input: TurnInput): Promise<TurnResult>;
  /** Stop the session's sandbox (idle); the next turn starts it again. */
  stopAgentSandbox(input: SessionRef): Promise<void>;
  /** Remove the session's sandbox (closed); the agent's workspace volume stays. */
  removeAgentSandbox(input: SessionRef): Promise<void>;
  /** Post `text` to the conversation once per `key` (a retried post never posts twice). */
  postSessionReply(input: {
    conversation: ConversationRef;
    key: string;
    text: string;
  }): Promise<void>;
}
