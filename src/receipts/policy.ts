// How a worker treats decision signatures: with public keys configured every decision must verify;
// without any, production refuses every decision (and the worker does not start), while
// development accepts unsigned ones with a warning the audit log keeps.
import { AirlockError } from '../errors.ts';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';
import type { SignatureVerdict } from '../../workflows/sensitive-action/types.ts';
import { parsePublicKeys, type DecisionPublicKey } from './keys.ts';
import { verifyDecision } from './verify.ts';

/** Checks one decision sent to `workflowId`. */
export type DecisionChecker = (workflowId: string, decision: ApprovalDecision) => SignatureVerdict;

/** The warning kept with decisions accepted unsigned in development. */
export const uncheckedWarning =
  'signature not checked: no AIRLOCK_DECISION_PUBLIC_KEYS configured (development only)';

/** A checker for `publicKeys`; `production` refuses everything when there are none. */
export function decisionChecker(
  publicKeys: readonly DecisionPublicKey[],
  production: boolean,
): DecisionChecker {
  if (publicKeys.length === 0)
    return () =>
      production
        ? { ok: false, why: 'no decision public keys configured (AIRLOCK_DECISION_PUBLIC_KEYS)' }
        : { ok: true, keyId: null, warning: uncheckedWarning };
  return (workflowId, decision) => verifyDecision(workflowId, decision, publicKeys);
}

/**
 * The settings a worker's checker reads, as the config names them (receipts sit below the config
 * and take these fields of it, not the whole of it).
 */
export interface DecisionKeySettings {
  NODE_ENV: string;
  AIRLOCK_DECISION_PUBLIC_KEYS?: string | undefined;
}

/** The configured public keys (AIRLOCK_DECISION_PUBLIC_KEYS). */
export function decisionPublicKeys(
  config: Pick<DecisionKeySettings, 'AIRLOCK_DECISION_PUBLIC_KEYS'>,
): DecisionPublicKey[] {
  return parsePublicKeys(config.AIRLOCK_DECISION_PUBLIC_KEYS);
}

/** The worker's checker; in production without public keys it throws `decision_keys_missing`. */
export function workerDecisionChecker(config: DecisionKeySettings): DecisionChecker {
  const keys = decisionPublicKeys(config);
  const production = config.NODE_ENV === 'production';
  if (production && keys.length === 0)
    throw new AirlockError(
      'decision_keys_missing',
      'AIRLOCK_DECISION_PUBLIC_KEYS is not set: a production worker must check that every approval was signed by the webhook',
    );
  return decisionChecker(keys, production);
}
