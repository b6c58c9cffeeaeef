// Messages of sensitiveActionWorkflow: the approval decision signal sent by card click handlers,
// and the status query read by the CLI. Chat code imports this file, never workflow.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Who clicked: the platform's verified identity, checked against the pinned policy decision. */
export interface ApproverIdentity {
  platform: 'teams' | 'slack';
  /** Teams tenant id (from the verified activity's conversation), or the Slack team id. */
  tenantId?: string;
  /** The platform's user id (Teams `from.id`, Slack user id). */
  userId: string;
  /** Teams AAD object id: the durable identity used for authorization. */
  aadObjectId?: string;
  displayName: string;
}

/** A grant the approver chose on the card (the policy says which are offered). */
export interface GrantChoice {
  kind: 'once' | 'session' | 'duration';
  durationMs?: number;
}

/** The webhook's signature over a decision (see src/receipts/): proof the webhook sent it. */
export interface DecisionSignature {
  alg: 'Ed25519';
  /** First 16 hex characters of sha256 of the signing key's SPKI DER encoding. */
  keyId: string;
  /** base64url of the signature over `canonicalJson({ v: 1, workflowId, decision })`. */
  value: string;
}

/** One click on an approval card. */
export interface ApprovalDecision {
  /** Unique per delivery source (e.g. the Teams activity id): duplicates share it. */
  decisionId: string;
  choice: 'approve' | 'reject';
  approver: ApproverIdentity;
  /** The short request hash shown on the card the approver saw. */
  requestHash: string;
  /** What the approver typed on the card (required by the card to reject); see `capReason`. */
  reason?: string;
  grant?: GrantChoice;
  /** ISO time the click was received by the webhook server. */
  receivedAt: string;
  /** The policy hash the card showed (its buttons carry it); refused when it differs. */
  policyHash?: string;
  /**
   * The run that posted the card (its buttons carry it; the signature covers it): the click counts
   * in that run only, so a click replayed into a later run of the same workflow id is refused.
   * Absent on cards posted before cards carried their run.
   */
  runId?: string;
  /** Set by the webhook; covers every other field. */
  signature?: DecisionSignature;
}

/** An approval receipt: a signed decision and the workflow it was sent to, checkable offline. */
export interface DecisionReceipt {
  v: 1;
  workflowId: string;
  decision: ApprovalDecision;
}

/** Longest reason kept, in characters; the requester gets it verbatim up to this length. */
export const reasonMaxLength = 500;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * The reason as the requester will get it: the approver's words, trimmed, with control characters
 * other than newlines and tabs removed, cut to `reasonMaxLength` (ending in "…" when cut).
 * Undefined for anything that is not a non-empty string.
 */
export function capReason(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.replace(/\r\n?/g, '\n').replace(controlCharacters, '').trim();
  if (text === '') return undefined;
  return text.length <= reasonMaxLength ? text : `${text.slice(0, reasonMaxLength - 1)}…`;
}

/** Wire name `approvalDecision`: sent by the card button handlers. */
export const approvalDecisionSignal = defineSignal<[ApprovalDecision]>('approvalDecision');

/** Where a card may be shown on request: a Teams conversation or a Slack channel/DM. */
export interface ShowCardTarget {
  platform: 'teams' | 'slack';
  conversationId: string;
  serviceUrl?: string;
  conversationType?: 'personal' | 'groupChat' | 'channel';
}

/**
 * Someone opened or wrote to a chat with the bot: show them this request's card there, if they may
 * decide it now. Cards shown this way work like every other copy and are finalized with them.
 */
export interface ShowCardRequest {
  /** Unique per arrival; a redelivered signal shares it. */
  requestId: string;
  /** Who arrived (the platform's verified identity). */
  person: ApproverIdentity;
  target: ShowCardTarget;
  /**
   * Post even when this conversation already has the card: the person asked, or arrived in a client
   * that keeps no history (the Agents Playground).
   */
  again: boolean;
}

/** Wire name `showCard`: sent by the webhook when an approver arrives in a chat with the bot. */
export const showCardSignal = defineSignal<[ShowCardRequest]>('showCard');

/** What the CLI and UI see of a pending or finished action. */
export interface ActionStatus {
  state:
    | 'deciding'
    | 'pending'
    | 'approved'
    | 'rejected'
    | 'expired'
    | 'denied'
    | 'executed'
    | 'failed'
    | 'replay-refused';
  summary: string;
  /** The short hash of the exact request, as shown on its cards (empty until decided). */
  requestHash: string;
  decisions: {
    approver: string;
    choice: 'approve' | 'reject';
    reason?: string;
    at: string;
    /** The signed decision, when the webhook signed it. */
    receipt?: DecisionReceipt;
  }[];
  /** Refused clicks, at most `refusalsListedPerIdentity` per identity (the rest are counted). */
  rejectedClicks: { approver: string; why: string; at: string }[];
  /** Refused clicks not listed (nor audited one by one), counted per identity. */
  unlistedRefusals?: { approver: string; count: number }[];
}

/** Refused clicks listed and audited per identity; the rest are only counted (a flood stays small). */
export const refusalsListedPerIdentity = 5;

/** Wire name `status`. */
export const statusQuery = defineQuery<ActionStatus>('status');
