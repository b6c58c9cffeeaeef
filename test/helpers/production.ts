// The production profile for tests (scripts/production.sh: PostgreSQL, the Temporal server's four
// services with mutual TLS): the settings it wrote to .data/production/env, a state database of
// the test's own on its PostgreSQL, one service killed or started through the script, and a TCP
// proxy in front of the frontend that a test can cut (Temporal unreachable for one process only).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { sqlOn } from './state-db.ts';
import { repoRoot } from './temporal.ts';

// The data folder production.sh used (AIRLOCK_DATA_DIR, else this checkout's .data).
const prodDir = resolve(repoRoot, loadConfig().AIRLOCK_DATA_DIR, 'production');

/** The production profile's settings (TEMPORAL_ADDRESS, TLS files, state DB URL, pid folder). */
export function productionEnv(): Record<string, string> {
  const file = join(prodDir, 'env');
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: the production profile is not up (make up PROFILE=production; make test starts it)`,
    );
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/** A fresh state database (audit log, vault) on the production PostgreSQL, dropped by `drop()`. */
export async function productionStateDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = readFileSync(join(prodDir, 'pg-admin.password'), 'utf8').trim();
  const { AIRLOCK_STATE_DB_URL: stateUrl } = productionEnv();
  const port = new URL(stateUrl as string).port;
  const adminUrl = `postgres://admin:${admin}@127.0.0.1:${port}/postgres`;
  const name = `airlock_test_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await sqlOn(adminUrl, `CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await sqlOn(adminUrl, `CREATE DATABASE ${name} OWNER ${name}`);
  return {
    url: `postgres://${name}:${password}@127.0.0.1:${port}/${name}`,
    drop: async () => {
      await sqlOn(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sqlOn(adminUrl, `DROP ROLE IF EXISTS ${name}`);
    },
  };
}

/** `scripts/production.sh kill|start SERVICE` (kill is SIGKILL). */
export function productionService(action: 'kill' | 'start', service: string): void {
  const r = spawnSync('bash', [join(repoRoot, 'scripts/production.sh'), action, service], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`production.sh ${action} ${service}: ${r.stderr}${r.stdout}`);
}

/** The pid of a production Temporal service, from the script's pid file. */
export function productionPid(service: string): number {
  return Number(readFileSync(join(prodDir, 'pids', `${service}.pid`), 'utf8'));
}

/** A TCP proxy to `target` (host:port); `cut()` drops every connection and refuses new ones. */
export async function startTcpProxy(target: string): Promise<{
  address: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}> {
  const [host, port] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  const cut = () => {
    open = false;
    for (const s of sockets) s.destroy();
  };
  return {
    address: `127.0.0.1:${own}`,
    cut,
    restore: () => (open = true),
    close: () => {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
