// Messages of grantWorkflow: what a grant covers, its status query and the revoke signal.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DecisionReceipt } from '../sensitive-action/messages.ts';

/** A standing approval: later identical requests (same key) run without a card until it ends. */
export interface GrantRecord {
  /** `grant:<key>`; the key hashes agent, capability, method, rule, key fields (and session). */
  id: string;
  kind: 'session' | 'duration';
  agent: string;
  capability: string;
  method: string;
  rule: string;
  /** The policy's grant key fields and their values in the approved request. */
  fields: Record<string, unknown>;
  sessionId?: string;
  /** Who gave it, from the approving click. */
  grantedBy: string;
  grantedAt: string;
  /** ISO time it ends on its own. */
  until: string;
  /** The action whose approval created it. */
  fromWorkflowId: string;
  /**
   * The deciding approval, as the webhook signed it: a grant covers requests only when this
   * verifies, approved, asked for this grant kind, and was sent to `fromWorkflowId`, the workflow
   * that started this grant as its child (src/grants/verify.ts).
   */
  approval?: DecisionReceipt;
}

/** What `grantStatus` answers. */
export interface GrantStatus {
  grant: GrantRecord;
  active: boolean;
  endedBecause?: 'expired' | 'revoked';
  revokedBy?: string;
}

/** Wire name `revokeGrant`: ends the grant now. */
export const revokeGrantSignal = defineSignal<[{ by: string; reason?: string }]>('revokeGrant');

/** Wire name `grantStatus`. */
export const grantStatusQuery = defineQuery<GrantStatus>('grantStatus');
