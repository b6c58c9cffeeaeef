// A sensitive request as an agent (or the CLI) makes it, and the policy decision pinned for it in
// history once (from an activity), so editing a policy file never changes what a running approval
// accepts, and replay stays deterministic.

/** A sensitive request, as an agent (or the CLI) makes it. */
export interface ActionRequest {
  agent: string;
  capability: string;
  method: string;
  path: string;
  body?: unknown;
  requester?: Requester;
  /**
   * Everyone else whose message was in the turn that made the request: each is a requester too,
   * so none of them may approve it. Absent: only `requester`.
   */
  coRequesters?: Requester[];
  /**
   * What started the turn that made the request, set by the session from the turn's inputs (never
   * by the agent): a person's message, another agent's question or answer, an A2A client's
   * message. An `allow` rule passes the request only when its `origins` name every one of them.
   * Absent: a person (the CLI, `policy explain`, runs from before origins).
   */
  origins?: RequestOrigin[];
  sessionId?: string;
  /** Why the agent asks, in its own words (shown on the card; absent for CLI requests). */
  purpose?: string;
  /** Set when an agent asks during a conversation: where, and the message that led to it. */
  context?: AgentRequestContext;
  /**
   * Set when this request is one approval step of an agent-to-agent exchange (capability
   * `agent-exchange`): the decision comes from the policy's link, the card shows the sanitized
   * text and what the sanitizer removed, and an approval executes nothing (outcome `approved`).
   */
  exchange?: ExchangeStepRequest;
}

/** Who a request is made for: a person as the chat platform (or the CLI) identified them. */
export interface Requester {
  platform?: string;
  userId?: string;
  aadObjectId?: string;
  displayName?: string;
  /**
   * The policy user the sender was checked as (an agent session's talker, `--as` on the CLI):
   * that user may not approve the request, whatever login or platform id came with it.
   */
  policyUserId?: string;
}

/** What started a turn: a person, another agent (a question or an answer), an A2A client. */
export type RequestOrigin = 'person' | 'agent' | 'a2a';

/** The step of an exchange an approval request is for. */
export interface ExchangeStepRequest {
  /** The exchange's workflow id. */
  workflowId: string;
  from: string;
  to: string;
  step: 'question' | 'answer';
  /** The sanitized text that would cross. */
  text: string;
  removed: { kind: string; excerpt: string }[];
  truncated: boolean;
  /**
   * The sentences of the sanitized text that tell the reader to act (at most 20), shown first on
   * the card. Optional: requests recorded before findings existed have none.
   */
  instructions?: InstructionFindingRequest[];
}

/** Most instruction findings an exchange step carries (the first ones in the text). */
export const maxInstructionFindings = 20;

/** One instruction finding on an exchange step: its span in `text`, kind, sentence and reason. */
export interface InstructionFindingRequest {
  /** `imperative`, `authority`, `sequencing`, `address` or `contact`. */
  kind: string;
  start: number;
  end: number;
  sentence: string;
  reason: string;
}

/** The conversation an agent's request came from, as the approver's card shows it. */
export interface AgentRequestContext {
  /** The session's workflow id (`session:<agent>:<conversation>`). */
  sessionWorkflowId: string;
  /** A human-readable name of the conversation, e.g. "Teams chat with Riley". */
  conversation: string;
  /** The message that led to the request (the latest one in the turn), capped. */
  message: string | null;
  /**
   * What the agent read through MCP servers earlier in the same turn, from the session's record
   * of the calls Airlock executed (not the agent's words); the card shows them. Absent: none.
   */
  lookups?: TurnLookup[];
}

/** One MCP call of the turn that Airlock executed: what the agent looked up, and what came back. */
export interface TurnLookup {
  /** The server (the capability without `mcp:`). */
  server: string;
  tool: string;
  /** The call's arguments as executed (the request's body). */
  arguments: unknown;
  /** The result's text as the agent got it, capped. */
  result: string;
  /** The result was cut (by the session's cap, or before it by the hub's). */
  truncated: boolean;
  /** Sentences of the result that tell the reader to act (an untrusted server's text). */
  instructions?: InstructionFindingRequest[];
}

/** An approver the policy names, with the identity fields a click is checked against. */
export interface Approver {
  id: string;
  displayName: string;
  tenantId?: string;
  aadObjectId?: string;
  /** Who to open a Teams direct message with (Bot Framework user id); else aadObjectId. */
  teamsUserId?: string;
  slackUserId?: string;
  email?: string;
}

/** Where approval cards are posted. */
export interface CardTargets {
  teams: {
    channel?: { conversationId: string; serviceUrl?: string; tenantId?: string };
    directMessages: boolean;
  } | null;
  slack: { channel?: string; directMessages: boolean } | null;
}

/** A grant an approver may give: this request only, the rest of the session, or a time span. */
export interface GrantOption {
  kind: 'once' | 'session' | 'duration';
  maxMs?: number;
}

/** The capability a request goes through, as the vault needs it. */
export interface CapabilityRef {
  id: string;
  baseUrl: string;
  methods: string[];
  paths: string[];
  credential: string;
}

/**
 * What the policy engine (src/policy/evaluate.ts) decided for one request, and everything the
 * approval workflow needs. Durations are plain milliseconds so it is plain JSON.
 */
export interface PolicyDecision {
  decision: 'allow' | 'deny' | 'approve';
  rule: string | null;
  reason: string;
  policyHash: string;
  approvers: Approver[];
  quorum: number;
  allowSelfApproval: boolean;
  rejectionsToDeny: number;
  reminderEveryMs: number | null;
  escalation: { afterMs: number; approvers: Approver[] }[];
  expiry: { afterMs: number; outcome: 'deny' };
  grants: GrantOption[];
  grantKeyFields: string[];
  /** Where the policy sends cards. */
  cards: CardTargets;
  capability: CapabilityRef | null;
}

/** The policy decision for this request, pinned in history, plus the request's hash. */
export interface PinnedDecision extends PolicyDecision {
  /** The grant ids that would cover this request (duration; session when it has one). */
  grantIds: { duration: string; session: string | null };
  /** The grant key fields and their values in this request (what a grant would cover). */
  grantFields: Record<string, unknown>;
  /** Set when an active grant turned an `approve` into this `allow`. */
  grant: { id: string; grantedBy: string; until: string } | null;
  /** sha256 (hex) of the canonical request; the card shows its first 12 characters. */
  requestHash: string;
  shortHash: string;
  /**
   * The policy user the requester is (matched on any platform id, email or user id), so the same
   * person cannot approve their own request from another platform. Absent in older histories.
   */
  requesterUserId?: string | null;
  /**
   * The body's fields as the history comparison keys them (numbers as they are, strings as a
   * short digest) and, in clear under their dotted paths, the fields the policy decides on (so
   * `airlock policy suggest` can replay the request); the `requested` audit event keeps them.
   * Absent in older histories.
   */
  historyFields?: Record<string, number | string | boolean | null>;
  /** An MCP call's tool as its server listed it when decided (for the card). Absent otherwise. */
  mcpTool?: McpToolView;
}

/** An MCP tool as the card shows it: descriptions sanitized by the hub, then capped. */
export interface McpToolView {
  description: string;
  /** The hash of the description the call was checked against. */
  descriptionHash: string;
  /** Each argument's description, by argument name (those the schema describes). */
  arguments: Record<string, string>;
}
