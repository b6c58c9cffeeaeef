// Checking a decision's signature against the configured public keys (several during a key
// rotation). Used by the worker before a click counts, by the grant check, and offline by
// `airlock receipts verify`.
import { verify } from 'node:crypto';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';
import type { DecisionPublicKey } from './keys.ts';
import { decisionSignedBytes } from './signed-bytes.ts';

/** Whether a decision's signature verifies, and with which key; else why not. */
export type DecisionCheck = { ok: true; keyId: string } | { ok: false; why: string };

/** Refusal texts (the audit log and the status show them). */
export const unsigned = 'decision not signed by the webhook';
export const badSignature = 'signature does not verify';

/** Verify `decision` as sent to `workflowId` against `publicKeys`. */
export function verifyDecision(
  workflowId: string,
  decision: ApprovalDecision,
  publicKeys: readonly DecisionPublicKey[],
): DecisionCheck {
  const sig = (decision as Partial<ApprovalDecision> | undefined)?.signature;
  if (!sig || typeof sig !== 'object') return { ok: false, why: unsigned };
  if (sig.alg !== 'Ed25519' || typeof sig.keyId !== 'string' || typeof sig.value !== 'string')
    return { ok: false, why: `${badSignature} (malformed signature)` };
  const key = publicKeys.find((k) => k.keyId === sig.keyId);
  if (!key) return { ok: false, why: `${badSignature} (unknown key ${sig.keyId.slice(0, 16)})` };
  let good: boolean;
  try {
    good = verify(
      null,
      decisionSignedBytes(workflowId, decision),
      key.key,
      Buffer.from(sig.value, 'base64url'),
    );
  } catch {
    good = false;
  }
  return good ? { ok: true, keyId: key.keyId } : { ok: false, why: badSignature };
}
