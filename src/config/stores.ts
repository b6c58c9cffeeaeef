// Settings of what Airlock keeps and trusts: the policy folder, the vault and its keys, the audit
// log and its key, the shared state database, and the keys approval decisions are signed with.
import { z } from 'zod';
import { parsePrivateKey, parsePublicKeys } from '../receipts/keys.ts';
import { base64Key, parses, postgresUrl } from './formats.ts';

/** Policy, vault, audit, state database and decision keys. */
export const storeSettings = {
  /**
   * Signs every audit record and the log's head (HMAC-SHA256): give it only to the writers (the
   * workers) and the operator who verifies. Unset: derived from AIRLOCK_PAYLOAD_KEY.
   */
  AIRLOCK_AUDIT_KEY: base64Key.optional(),
  AIRLOCK_POLICY_DIR: z.string().min(1).default('policies'),
  AIRLOCK_VAULT_FILE: z.string().optional(),
  AIRLOCK_VAULT_KEY: base64Key.optional(),
  AIRLOCK_VAULT_KEY_FILE: z.string().optional(),
  /** Older vault keys (comma-separated base64) still accepted for reading records, for rotation. */
  AIRLOCK_VAULT_PREVIOUS_KEYS: z
    .string()
    .refine(
      (s) => s.split(',').every((k) => k.trim() === '' || Buffer.from(k, 'base64').length === 32),
      'each comma-separated key must be 32 bytes, base64-encoded',
    )
    .optional(),
  AIRLOCK_AUDIT_FILE: z.string().optional(),
  /**
   * The production profile's shared state (`postgres://user:password@host:port/db`): the audit log
   * and the vault in PostgreSQL, for workers on several hosts. Unset: files in the data folder.
   * Never logged.
   */
  AIRLOCK_STATE_DB_URL: postgresUrl.optional(),
  /**
   * The webhook only: base64 of a PKCS#8 DER Ed25519 private key that signs every approval
   * decision (scripts/gen-decision-keys.ts makes a pair). Unset: decisions go out unsigned.
   */
  AIRLOCK_DECISION_SIGNING_KEY: z
    .string()
    .refine(parses(parsePrivateKey), 'must be a base64 PKCS#8 DER Ed25519 private key')
    .optional(),
  /**
   * Worker, CLI, auditors: comma-separated base64 SPKI DER Ed25519 public keys that approval
   * decisions may be signed with (several during a rotation). Required by a production worker.
   */
  AIRLOCK_DECISION_PUBLIC_KEYS: z
    .string()
    .refine(parses(parsePublicKeys), 'must be comma-separated base64 SPKI DER Ed25519 public keys')
    .optional(),
};
