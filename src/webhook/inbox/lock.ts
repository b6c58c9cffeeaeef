// One process per inbox directory. The holder listens on a unix socket in the directory; the
// kernel closes it when the process dies, however it dies, so a stale lock is told apart from a
// live one by connecting to it rather than by a pid (in a container every restart may be pid 1,
// and a pid can be reused). A stale socket is taken over under a short file lock, so two starters
// cannot both remove it and both listen. Works between processes of one host, not over NFS.
import { readFile, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { AirlockError } from '../../errors.ts';
import { withFileLock } from '../../file-lock.ts';

/** Takeover lock files this process holds or waits for right now. */
const takingOver = new Set<string>();

/** A held directory lock. */
export interface DirLock {
  release(): Promise<void>;
}

/** Lock `dir` for this process, or throw AirlockError `inbox_busy` if another process holds it. */
export async function lockDir(dir: string): Promise<DirLock> {
  const path = join(dir, 'inbox.lock');
  // sun_path holds 108 bytes on Linux (104 on macOS); a longer path cannot be listened on.
  if (Buffer.byteLength(path) > 100) {
    throw new AirlockError('inbox_path_too_long', `${path} is too long for a unix socket.`);
  }
  const server = createServer((socket) => socket.end(String(process.pid)));
  server.unref();
  const listen = () =>
    new Promise<boolean>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE') resolve(false);
        else reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve(true);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(path);
    });
  const busy = (holder: string) =>
    new AirlockError(
      'inbox_busy',
      `${dir} is in use by another webhook process (pid ${holder}); give each process its own AIRLOCK_INBOX_DIR.`,
    );

  if (!(await listen())) {
    // A takeover lock naming this very process, which is not taking over, was left by an earlier
    // process with the same pid (a container restarted mid-takeover): it is stale.
    const takeover = `${path}.takeover`;
    const owner = await readFile(takeover, 'utf8').catch(() => ''); // usually absent
    if (owner === String(process.pid)) {
      if (!takingOver.has(takeover)) await rm(takeover, { force: true });
    }
    takingOver.add(takeover);
    await withFileLock(
      takeover,
      async () => {
        const holder = await ask(path);
        if (holder !== null) throw busy(holder);
        await rm(path, { force: true });
        if (!(await listen())) throw busy('?');
      },
      2000,
      'inbox_busy',
    ).finally(() => takingOver.delete(takeover));
  }
  return {
    // Closing the server also removes the socket file.
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The pid a live holder answers with ('?' if it is slow to say), or null if nobody listens. */
function ask(path: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (value: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    socket.on('connect', () => {
      connected = true;
      timer = setTimeout(() => done(text || '?'), 500);
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => done(text || '?'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) return done(text || '?');
      // Refused (or gone): the socket file outlived its process. Anything else is not ours to judge.
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(null);
      else reject(err);
    });
  });
}
