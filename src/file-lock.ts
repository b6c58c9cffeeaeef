// A cross-process lock file around a read-modify-write of a shared file (the vault store, the audit
// log), so two processes cannot lose each other's update. The lock names its owner: pid, a random
// token per process, the process's start time, and host + boot id. A lock whose owner is gone is
// taken over, including the one left by an earlier life of our own pid (a container's pid 1 after a
// restart), and takeover is race-free: see takeOver().
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AirlockError } from './errors.ts';

/** Who holds a lock, as written in the lock file (JSON). */
interface Owner {
  pid: number;
  /** Random per process: tells this process from an earlier one that had the same pid. */
  token: string;
  host: string;
  boot: string;
  /** /proc/<pid>/stat start time (clock ticks since boot); '' where /proc is not available. */
  start: string;
}

function procStart(pid: number | 'self'): string {
  try {
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from its end.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

const me: Owner = {
  pid: process.pid,
  token: randomBytes(12).toString('hex'),
  host: hostname(),
  boot: bootId(),
  start: procStart('self'),
};
let acquisitions = 0;

// A lock's content: our identity plus a counter, so no two acquisitions ever write the same text.
function claim(): string {
  return JSON.stringify({ ...me, n: ++acquisitions });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): Partial<Owner> | undefined {
  // Locks written before owners were JSON hold only a pid.
  if (/^\d+$/.test(text.trim())) return { pid: Number(text) };
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    return typeof o.pid === 'number' ? o : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner is certainly gone. Same host and boot: the pid is dead, or it is our
 * pid without our token (an earlier life of this pid), or the pid now belongs to a process that
 * started at another time. Another host (another container's pid namespace) or an unreadable
 * lock: nothing can be probed, so only a lock its holder stopped refreshing for `staleMs` is.
 */
function isStale(o: Partial<Owner> | undefined, ageMs: number, staleMs: number): boolean {
  const local = o && (o.host === undefined || (o.host === me.host && o.boot === me.boot));
  if (!o || !local) return ageMs > staleMs;
  const pid = o.pid as number;
  if (pid === me.pid) return o.token !== me.token;
  if (!alive(pid)) return true;
  const start = o.start ? procStart(pid) : '';
  return start !== '' && start !== o.start;
}

// Create `path` holding `text`, atomically and exclusively: link() of a fully written file fails
// with EEXIST when `path` exists, so nobody ever sees a half-written lock.
async function create(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${me.token}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function current(path: string): Promise<{ text: string; ageMs: number } | undefined> {
  try {
    const [text, s] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, ageMs: Date.now() - s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Remove the stale lock whose content is `stale`, if it is still there. Two takers must not both
 * remove "the stale lock": the second would delete the first's fresh one. So removing a given stale
 * lock needs its own lock, `<path>.takeover-<hash of its content>`, taken with this same function:
 * only its holder removes, and only after re-reading that the content is still `stale` (lock
 * contents are unique per acquisition, and a stale lock changes only by being removed). A taker
 * that dies holding the takeover lock leaves a stale takeover lock, taken over the same way.
 */
async function takeOver(path: string, stale: string, staleMs: number): Promise<void> {
  const guard = `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  const held = await tryAcquire(guard, staleMs);
  if (!held) return;
  try {
    if ((await current(path))?.text === stale) await rm(path, { force: true });
  } finally {
    await release(guard, held);
  }
}

// One attempt: the lock's content when we now hold it, undefined when someone else does.
async function tryAcquire(path: string, staleMs: number): Promise<string | undefined> {
  const text = claim();
  if (await create(path, text)) return text;
  const found = await current(path);
  if (found && isStale(parseOwner(found.text), found.ageMs, staleMs)) {
    await takeOver(path, found.text, staleMs);
    const again = claim();
    if (await create(path, again)) return again;
  }
  return undefined;
}

// Remove the lock only while it is still ours: after a (wrong) takeover it belongs to another.
async function release(path: string, text: string): Promise<void> {
  if ((await current(path))?.text === text) await rm(path, { force: true });
}

/**
 * Run `fn` while holding the lock file `path`; waits up to `waitMs` for another holder. A lock we
 * cannot probe (another host) counts as abandoned once its holder stopped refreshing it `staleMs`.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  waitMs = 5000,
  busyCode = 'file_busy',
  staleMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let held: string | undefined;
  while (!(held = await tryAcquire(path, staleMs))) {
    if (Date.now() > deadline) {
      const owner = parseOwner((await current(path))?.text ?? '');
      throw new AirlockError(
        busyCode,
        `${path} is locked by process ${owner?.pid ?? '?'}${owner?.host ? ` on ${owner.host}` : ''}; try again when it finishes.`,
      );
    }
    await sleep(5 + Math.random() * 20);
  }
  // Holders refresh the lock's time, so a holder on another host is not taken for dead.
  const beat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, staleMs / 3);
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    await release(path, held);
  }
}
