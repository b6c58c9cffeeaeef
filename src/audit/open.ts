// Opening the configured audit log: AIRLOCK_AUDIT_FILE, or audit.jsonl in the data folder.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { AuditLog } from './log.ts';

/** The audit log the config selects. */
export function openAuditLog(
  config: Pick<Config, 'AIRLOCK_AUDIT_FILE' | 'AIRLOCK_DATA_DIR'>,
): AuditLog {
  return new AuditLog(config.AIRLOCK_AUDIT_FILE ?? join(config.AIRLOCK_DATA_DIR, 'audit.jsonl'));
}
