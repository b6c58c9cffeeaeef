// STUB: the contract the webhook codes against; the real signer (receipts) replaces this file.
// A signer seals each verified approval decision before the webhook stores it in its inbox, so
// what reaches the workflow can be traced to this webhook.
import type { Config } from '../config.ts';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';

/** Signs a verified decision for `workflowId`, returning the decision with its signature. */
export interface DecisionSigner {
  sign(workflowId: string, decision: ApprovalDecision): ApprovalDecision;
}

/** The signer `config` selects, or undefined when decisions are not signed (this stub: never). */
export function createDecisionSigner(config: Config): DecisionSigner | undefined {
  void config;
  return undefined;
}
