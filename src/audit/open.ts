// Opening the configured audit log: AIRLOCK_AUDIT_FILE, or audit.jsonl in the data folder, with
// the key that signs its head anchor.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { anchorKey } from './anchor.ts';
import { AuditLog } from './log.ts';

/** The audit log the config selects, its head anchor signed with a key from the payload key. */
export function openAuditLog(
  config: Pick<Config, 'AIRLOCK_AUDIT_FILE' | 'AIRLOCK_DATA_DIR' | 'AIRLOCK_PAYLOAD_KEY'>,
): AuditLog {
  return new AuditLog(config.AIRLOCK_AUDIT_FILE ?? join(config.AIRLOCK_DATA_DIR, 'audit.jsonl'), {
    anchorKey: anchorKey(config),
  });
}
