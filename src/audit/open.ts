// Opening the configured audit log: the PostgreSQL table when AIRLOCK_STATE_DB_URL is set (workers
// on several hosts), else the file AIRLOCK_AUDIT_FILE or audit.jsonl in the data folder; either
// way with the key that signs its records and head anchor (AIRLOCK_AUDIT_KEY, or one derived from
// the payload key).
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { anchorKey } from './anchor.ts';
import type { AuditStore } from './chain.ts';
import { AuditLog } from './log.ts';
import { PgAuditLog } from './pg-log.ts';

/** The audit log the config selects, its head anchor signed with a key from the payload key. */
export function openAuditLog(
  config: Pick<
    Config,
    | 'AIRLOCK_AUDIT_FILE'
    | 'AIRLOCK_AUDIT_KEY'
    | 'AIRLOCK_DATA_DIR'
    | 'AIRLOCK_PAYLOAD_KEY'
    | 'AIRLOCK_STATE_DB_URL'
  >,
): AuditStore {
  if (config.AIRLOCK_STATE_DB_URL)
    return new PgAuditLog({ url: config.AIRLOCK_STATE_DB_URL, anchorKey: anchorKey(config) });
  return new AuditLog(config.AIRLOCK_AUDIT_FILE ?? join(config.AIRLOCK_DATA_DIR, 'audit.jsonl'), {
    anchorKey: anchorKey(config),
  });
}
