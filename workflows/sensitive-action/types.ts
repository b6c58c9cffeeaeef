// The data sensitiveActionWorkflow keeps in its history, and the activities it calls, as types.
// The policy decision is pinned here once (from an activity), so editing a policy file never
// changes what a running approval accepts, and replay stays deterministic.
import type {
  ApprovalDecision,
  ApproverIdentity,
  DecisionReceipt,
  ShowCardTarget,
} from './messages.ts';

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
}

/** What every card activity needs to render a card. */
export interface CardInput {
  workflowId: string;
  request: ActionRequest;
  decision: PinnedDecision;
  deadline: string;
  /** What is unusual about the request next to the agent's history (absent: nothing). */
  findings?: UnusualFinding[];
  /** The run the card is for; the card activities set it (its clicks carry it back, signed). */
  runId?: string;
}

/** A place one card goes: a Teams conversation (channel, chat, 1:1) or a Slack channel or DM. */
export interface CardTarget extends ShowCardTarget {
  /** `channel`, `dm:<approver id>`, `slack-channel` or `slack-dm:<approver id>`. */
  audience: string;
}

/** Where one approval card was posted; updates go to the same message (and conversation type). */
export interface CardRef extends CardTarget {
  messageId: string;
}

/** The state a card shows. */
export interface CardView {
  state: 'pending' | 'approved' | 'rejected' | 'expired' | 'failed' | 'denied';
  /** One line under the title, e.g. "Approved by Alice Approver at 14:02 UTC". */
  outcomeText?: string;
  /** Short notes shown on a pending card, e.g. "Reminder 2" or "1 of 2 approvals: Alice". */
  notes?: string[];
}

/** What executing the approved request returned (redacted, size-limited). */
export interface ExecutionResult {
  status: number;
  body: string;
  truncated: boolean;
}

/** The workflow's result: the truthful outcome the requester gets. */
export interface ActionOutcome {
  /**
   * `approved`: an exchange step's approval (nothing is executed for it). `replay-refused`: another
   * run of the same request id (a reset, or a fresh start of a closed id) already claimed its
   * execution in the ledger (src/audit/ledger.ts), so this run executed nothing.
   */
  outcome:
    'executed' | 'approved' | 'denied' | 'rejected' | 'expired' | 'failed' | 'replay-refused';
  message: string;
  /** On a rejection: the rejecting approver's reason, verbatim (capped, see `capReason`). */
  reason?: string;
  rule: string | null;
  policyHash: string;
  requestHash: string;
  decidedBy: {
    approver: ApproverIdentity;
    choice: 'approve' | 'reject';
    reason?: string;
    at: string;
    /** The signed decision, when the webhook signed it. */
    receipt?: DecisionReceipt;
  }[];
  result?: ExecutionResult;
}

/** One audit event (the activity adds the chain fields). */
export interface AuditEntry {
  /** Unique per event and run (`<workflow id>@<run id>#<n>`): retries of the same step append once. */
  id: string;
  type:
    | 'requested'
    | 'denied'
    | 'allowed'
    | 'cards-posted'
    | 'granted'
    | 'grant-revoked'
    | 'card-failed'
    | 'decision'
    | 'rejected-click'
    | 'expired'
    | 'executed'
    | 'failed'
    | 'replay-refused'
    | 'reminder'
    | 'escalated'
    | 'card-shown';
  at: string;
  workflowId: string;
  agent: string;
  capability: string;
  requestHash: string;
  policyRule: string | null;
  policyHash: string;
  approver?: ApproverIdentity;
  detail?: Record<string, unknown>;
}

/**
 * The failure type of an execution the ledger refused (src/audit/ledger.ts): another run of the
 * request id claimed it, so this run sends nothing.
 */
export const replayRefusedType = 'replay_refused';

/** Activities used by sensitiveActionWorkflow (implemented in activities/actions.ts). */
export interface SensitiveActionActivities {
  decidePolicy(input: { workflowId: string; request: ActionRequest }): Promise<PinnedDecision>;
  /** Where this request's cards go; with `escalationLevel`, that level's approvers only. */
  planApprovalCards(input: CardInput & { escalationLevel?: number }): Promise<CardTarget[]>;
  /** Post one card (one activity per target, so a retry never re-posts the others). */
  postApprovalCard(
    input: CardInput & { target: CardTarget; escalationLevel?: number },
  ): Promise<CardRef>;
  updateApprovalCards(input: CardInput & { cards: CardRef[]; view: CardView }): Promise<void>;
  executeAction(input: {
    workflowId: string;
    request: ActionRequest;
    decision: PinnedDecision;
  }): Promise<ExecutionResult>;
  recordAudit(entry: AuditEntry): Promise<void>;
  /** Whether grant `id` is still active (checked again right before a grant-allowed execution). */
  checkGrant(input: { id: string }): Promise<boolean>;
  /** Check each decision's webhook signature (one answer per decision, in order). */
  checkDecisionSignatures(input: {
    workflowId: string;
    decisions: ApprovalDecision[];
  }): Promise<SignatureVerdict[]>;
}

/**
 * A decision's signature check: verified (with the key), refused (why), or unchecked because no
 * public keys are configured (development only: `keyId` null and a warning the audit keeps).
 */
export type SignatureVerdict =
  | { ok: true; keyId: string; warning?: undefined }
  | { ok: true; keyId: null; warning: string }
  | { ok: false; why: string };

export type { ApprovalDecision };

/** One thing that stands out, e.g. a field far from the agent's median or a first-time path. */
export interface UnusualFinding {
  kind: 'ratio' | 'new-path' | 'new-value' | 'rate' | 'first-request';
  /** The body field (or `path`) it is about; null for the rate and a first request. */
  field: string | null;
  /** This request's value (a string value as typed, capped). */
  value: string | number | null;
  /** What it is compared with: the median, the number of earlier requests, the window. */
  baseline: string | number | null;
  /** The line the card shows, e.g. "3rd request in 10 minutes". */
  text: string;
}

/** The comparison activity (implemented in activities/unusual.ts). */
export interface UnusualActivities {
  /** Findings for `request` against `agent`'s earlier requests under `rule`, as of `at`. */
  compareWithHistory(input: {
    workflowId: string;
    rule: string;
    request: ActionRequest;
    at: string;
  }): Promise<UnusualFinding[]>;
}
