// Writes that survive a crash: the data is fsynced before the file handle closes, and a rename or
// a new directory entry is only durable once the directory itself is fsynced (syncDir).
import { open } from 'node:fs/promises';

/** Write `text` to `path` opened with `flag` ('w', 'wx', 'a'; created 0600) and fsync it. */
export async function writeDurably(path: string, text: string, flag: string): Promise<void> {
  const fh = await open(path, flag, 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Fsync directory `dir`, so the entries renamed or created in it are on disk. */
export async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
