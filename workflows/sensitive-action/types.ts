// The records sensitiveActionWorkflow keeps in its history (cards, results, the outcome, audit
// events) and its activity contract, as types. The request and its pinned policy decision are in
// request.ts.
import type {
  ApprovalDecision,
  ApproverIdentity,
  DecisionReceipt,
  ShowCardTarget,
} from './messages.ts';
import type { ActionRequest, InstructionFindingRequest, PinnedDecision } from './request.ts';

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
  /** An untrusted MCP server's result: the sentences that tell the reader to act (at most 20). */
  instructions?: InstructionFindingRequest[];
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
  /**
   * The same, and when the first decision's signature holds, append `record` for it, its signer
   * (or the unsigned warning) added to the detail.
   */
  checkDecisionsAndRecordFirst(input: {
    workflowId: string;
    decisions: ApprovalDecision[];
    record: AuditEntry;
  }): Promise<SignatureVerdict[]>;
  /**
   * The same for a lone click that approves the request, then, when its signature holds, the
   * first attempt at executing it (as executeAction does); an execution that throws comes back as
   * its message, and the workflow sends it again through executeAction.
   */
  checkRecordAndExecute(input: {
    workflowId: string;
    decisions: ApprovalDecision[];
    record: AuditEntry;
    request: ActionRequest;
    decision: PinnedDecision;
  }): Promise<{ verdicts: SignatureVerdict[]; execution?: FirstExecution }>;
}

/**
 * The first attempt at executing an approved request, made with the approving click's check: its
 * answer, its error (sent again), or the ledger's refusal (another run holds the request id).
 */
export type FirstExecution = { result: ExecutionResult } | { error: string } | { refused: string };

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
