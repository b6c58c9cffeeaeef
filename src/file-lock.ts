// A cross-process lock file (created with O_EXCL, holding the owner's pid) around a read-modify-
// write of a shared file (the vault store, the audit log), so two processes cannot lose each
// other's update. A lock left by a process that no longer exists is taken over.
import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AirlockError } from './errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `fn` while holding the lock file `path`; waits up to `waitMs` for another holder. */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  waitMs = 5000,
  busyCode = 'file_busy',
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await readFile(path, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !alive(owner)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new AirlockError(
          busyCode,
          `${path} is locked by process ${owner || '?'}; try again when it finishes.`,
        );
      }
      await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
