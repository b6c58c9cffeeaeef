// Messages of grantWorkflow: what a grant covers, its status query and the revoke signal.
import { defineQuery, defineSignal } from '@temporalio/workflow';

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
