// What the pending-approvals bench reads off the host: the resident memory of a process and of a
// process tree (the Temporal server may be several processes, PostgreSQL a postmaster and its
// backends), and the size of Temporal's database (PostgreSQL: pg_database_size of the Temporal
// databases; the dev server: its SQLite file, found on its command line).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import pg from 'pg';

/** Resident memory of process `pid` in MiB (NaN when it is gone). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return Number.NaN;
  }
}

/** `pids` and every process descended from them. */
export function withDescendants(pids: number[]): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const all = new Set(pids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (all.has(ppid) && !all.has(pid)) {
        all.add(pid);
        grew = true;
      }
  }
  return [...all];
}

/** Summed resident memory (MiB) of `pids` and their descendants. */
export function treeRssMiB(pids: number[]): number {
  return withDescendants(pids)
    .map(rssMiB)
    .filter((v) => !Number.isNaN(v))
    .reduce((a, b) => a + b, 0);
}

/** CPU seconds (user + system) used so far by `pids` and their descendants (clock ticks of 10 ms). */
export function treeCpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of withDescendants(pids)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

/** The SQLite file a `temporal server start-dev` process was given (--db-filename), if any. */
export function devServerDbFile(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = args.indexOf('--db-filename');
    return i >= 0 ? args[i + 1] : undefined;
  } catch {
    return undefined;
  }
}

/** Size in MiB of a SQLite database file with its -wal and -shm files. */
export function sqliteMiB(file: string): number {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return (size(file) + size(`${file}-wal`) + size(`${file}-shm`)) / 2 ** 20;
}

/** pg_database_size (MiB) of each database whose name starts with `temporal` at `url`. */
export async function pgTemporalSizes(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string; bytes: string }>(
      "select datname, pg_database_size(datname)::text as bytes from pg_database where datname like 'temporal%' order by datname",
    );
    return Object.fromEntries(rows.map((r) => [r.datname, Number(r.bytes) / 2 ** 20]));
  } finally {
    await client.end();
  }
}
