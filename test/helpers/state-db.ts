// The workers' state database as the production profile sets it up: docker-compose.yml's one-shot
// state-db script (deploy/postgres/state-db.sh) run against a private cluster (test/helpers/postgres.ts), so the tables belong to
// the cluster's admin and Airlock's role has only the grants the script gives it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { PostgresCluster } from './postgres.ts';
import { repoRoot } from './temporal.ts';

/** The state database's URLs: Airlock's role, and the tables' owner (the cluster's admin). */
export interface StateDb {
  appUrl: string;
  ownerUrl: string;
}

/** The environment a deploy/postgres script runs in: `cluster`'s tools, its admin, and `extra`. */
export function adminEnv(
  cluster: PostgresCluster,
  extra: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${cluster.binDir}:${process.env['PATH'] ?? ''}`,
    PGHOST: '127.0.0.1',
    PGPORT: String(cluster.port),
    PGUSER: 'admin',
    PGPASSWORD: cluster.adminPassword,
    PGDATABASE: 'postgres',
    ...extra,
  };
}

/** Run the state-db script (compose and the production profile run it too) against `cluster` (twice: it must be idempotent). */
export function createStateDb(cluster: PostgresCluster): StateDb {
  const script = join(repoRoot, 'deploy/postgres/state-db.sh');
  const password = randomBytes(12).toString('hex');
  const env = adminEnv(cluster, {
    STATE_DB_PASSWORD: password,
    STATE_DB_SCHEMA: join(repoRoot, 'src/state/schema.sql'),
  });
  for (let run = 1; run <= 2; run++) {
    const result = spawnSync('sh', [script], { env, encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0)
      throw new Error(`state-db script, run ${run}: ${result.stderr}${result.stdout}`);
  }
  const at = `127.0.0.1:${cluster.port}/airlock_state`;
  return {
    appUrl: `postgres://airlock_state:${password}@${at}`,
    ownerUrl: `postgres://admin:${cluster.adminPassword}@${at}`,
  };
}

/** Run `sql` on `url` on a short-lived connection. */
export async function sqlOn<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params?: unknown[],
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query<R>(sql, params);
  } finally {
    await client.end();
  }
}

/** As the owner, run `sql` with the audit table's append-only trigger switched off. */
export function asOwnerBypassingTrigger(db: StateDb, sql: string): Promise<unknown> {
  return sqlOn(
    db.ownerUrl,
    `ALTER TABLE airlock_audit DISABLE TRIGGER airlock_audit_append_only;
     ${sql};
     ALTER TABLE airlock_audit ENABLE TRIGGER airlock_audit_append_only;`,
  );
}
