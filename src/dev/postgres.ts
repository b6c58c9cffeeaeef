// A private PostgreSQL cluster for a test file or the demo: initdb into a directory (temporary, or
// one given, emptied first), the server on 127.0.0.1 and a free (or given) port, socket in the same
// directory, password authentication, one database with a role of its own. initdb refuses to run as
// root, so as root the server runs as the `postgres` system user (Debian's postgresql package,
// installed by scripts/bootstrap.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, processEnv } from '../config.ts';
import { AirlockError } from '../errors.ts';
import { freePort } from './free-port.ts';

/** A running private cluster. */
export interface PostgresCluster {
  /** `postgres://<role>:<password>@127.0.0.1:<port>/<database>` (default role and database: airlock_test) */
  url: string;
  password: string;
  port: number;
  /** The cluster's superuser (`admin`) password. */
  adminPassword: string;
  /** The database (owned by the role of `url`). */
  database: string;
  /** Where initdb, postgres and psql are. */
  binDir: string;
  /** How long initdb plus the server's start took (ms). */
  startMs: number;
  /** A query on the database as its owner (a short-lived connection). */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Stop the server (fast shutdown, then SIGKILL) and remove its directory. */
  stop(): Promise<void>;
}

/** Where initdb and postgres are: AIRLOCK_PG_BIN_DIR, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string {
  const configured = loadConfig(processEnv()).AIRLOCK_PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const found = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin'))
    : [];
  const dir = configured ?? found.find((d) => existsSync(join(d, 'initdb')));
  if (!dir || !existsSync(join(dir, 'initdb')) || !existsSync(join(dir, 'postgres'))) {
    throw new Error(
      "PostgreSQL server binaries (initdb, postgres) not found: run scripts/bootstrap.sh (it installs Debian's postgresql package) or set AIRLOCK_PG_BIN_DIR",
    );
  }
  return dir;
}

/** How to run a server binary: directly, or as root through `runuser -u postgres --`. */
function runAs(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'running as root, and there is no `postgres` system user to run PostgreSQL as (initdb refuses root): run scripts/bootstrap.sh, which creates it',
    );
  }
  return {
    prefix: ['runuser', '-u', 'postgres', '--'],
    uid: Number(uid.stdout.trim()),
    gid: Number(gid.stdout.trim()),
  };
}

/** Where and how a cluster starts; every field has a default. */
export interface PostgresOptions {
  /** The cluster's directory, emptied first (a server an earlier run left in it is stopped); default: a new temporary one. */
  dir?: string;
  /** The port on 127.0.0.1; default: a free one. */
  port?: number;
  /** The database and its owner role; default `airlock_test`. */
  database?: string;
  /** How long initdb plus the server's start may take (ms); default 60 s. */
  timeoutMs?: number;
}

/** Start a private cluster; on failure everything it started is stopped and removed. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const { timeoutMs = 60_000, database = 'airlock_test' } = options;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database))
    throw new AirlockError('invalid_database', `not a plain database name: ${database}`);
  const started = Date.now();
  const bin = postgresBinDir();
  const as = runAs();
  const dir = options.dir
    ? await freshDir(options.dir)
    : mkdtempSync(join(tmpdir(), 'airlock-pg-'));
  let server: ChildProcess | undefined;
  const output: string[] = [];
  const stop = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      // The postmaster's own pid (runuser in front of it may not pass signals on).
      const pid = Number(readIfExists(join(dir, 'data', 'postmaster.pid')).split('\n')[0]);
      signal(pid > 0 ? pid : server.pid, 'SIGINT');
      const timer = setTimeout(() => {
        signal(pid, 'SIGKILL');
        signal(server?.pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
    const admin = randomBytes(12).toString('hex');
    const password = randomBytes(12).toString('hex');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${admin}\n`, { mode: 0o600 });
    if (as.uid !== undefined && as.gid !== undefined) chownSync(pwfile, as.uid, as.gid);
    const run = (cmd: string, args: string[]) => [...as.prefix, join(bin, cmd), ...args];
    const init = run('initdb', [
      '-D',
      join(dir, 'data'),
      '-U',
      'admin',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    const initRun = spawnSync(init[0] as string, init.slice(1), {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    if (initRun.status !== 0) {
      throw new Error(
        `initdb failed (${initRun.status ?? initRun.signal}): ${initRun.stderr}${initRun.stdout}`,
      );
    }
    rmSync(pwfile);
    const port = options.port ?? (await freePort());
    const start = run('postgres', [
      '-D',
      join(dir, 'data'),
      '-k',
      dir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      // A throwaway cluster: durability is not the point, speed is.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ]);
    // In the test's own process group: the test runner ending the file ends the server too.
    server = spawn(start[0] as string, start.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (c: Buffer) => void output.push(c.toString()));
    server.stderr?.on('data', (c: Buffer) => void output.push(c.toString()));
    const adminUrl = `postgres://admin:${admin}@127.0.0.1:${port}/postgres`;
    await waitUntilReady(adminUrl, server, output, started + timeoutMs);
    await withClient(adminUrl, async (c) => {
      await c.query(`CREATE ROLE ${database} LOGIN PASSWORD '${password}'`);
      await c.query(`CREATE DATABASE ${database} OWNER ${database}`);
    });
    const url = `postgres://${database}:${password}@127.0.0.1:${port}/${database}`;
    return {
      url,
      password,
      port,
      adminPassword: admin,
      database,
      binDir: bin,
      startMs: Date.now() - started,
      query: (sql, params) => withClient(url, (c) => c.query(sql, params)),
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(`could not start a private PostgreSQL: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * `dir`, created empty. A server an earlier run left there (killed before it could stop it) is
 * stopped first: its postmaster.pid names it, and its port would be taken otherwise.
 */
async function freshDir(dir: string): Promise<string> {
  const pid = Number(readIfExists(join(dir, 'data', 'postmaster.pid')).split('\n')[0]);
  // A pid of a process that is no postgres (reused since) is left alone.
  const alive = () => pid > 0 && readIfExists(`/proc/${pid}/cmdline`).includes('postgres');
  if (alive()) signal(pid, 'SIGKILL');
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive())
    throw new AirlockError('postgres_left_running', `postgres ${pid} in ${dir} did not stop`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Connect until the server answers, it exits, or the deadline passes. */
async function waitUntilReady(
  url: string,
  server: ChildProcess,
  output: string[],
  deadline: number,
): Promise<void> {
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(
        `postgres exited (${server.exitCode ?? server.signalCode}):\n${output.join('')}`,
      );
    }
    try {
      await withClient(url, (c) => c.query('SELECT 1'));
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(
          `postgres did not accept connections in time (${(err as Error).message}):\n${output.join('')}`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function withClient<T>(url: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
