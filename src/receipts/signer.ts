// Signing approval decisions: only the webhook server holds AIRLOCK_DECISION_SIGNING_KEY, so a
// decision that verifies was built by the webhook from a platform-verified click, not by anyone
// who merely can reach Temporal.
import { sign } from 'node:crypto';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';
import { parsePrivateKey } from './keys.ts';
import { decisionSignedBytes } from './signed-bytes.ts';

/** Signs decisions with the webhook's private key. */
export interface DecisionSigner {
  /** The key id signatures name. */
  readonly keyId: string;
  /** A copy of `decision` with `signature` set, for the workflow `workflowId`. */
  sign(workflowId: string, decision: ApprovalDecision): ApprovalDecision;
}

/** A signer for the base64 PKCS#8 DER Ed25519 private key `privateKey`. */
export function decisionSigner(privateKey: string): DecisionSigner {
  const { keyId, key } = parsePrivateKey(privateKey);
  return {
    keyId,
    sign(workflowId, decision) {
      const value = sign(null, decisionSignedBytes(workflowId, decision), key);
      return {
        ...decision,
        signature: { alg: 'Ed25519', keyId, value: value.toString('base64url') },
      };
    },
  };
}

/** The configured signer, or undefined when AIRLOCK_DECISION_SIGNING_KEY is not set. */
export function createDecisionSigner(config: {
  AIRLOCK_DECISION_SIGNING_KEY?: string | undefined;
}): DecisionSigner | undefined {
  const key = config.AIRLOCK_DECISION_SIGNING_KEY;
  return key ? decisionSigner(key) : undefined;
}
