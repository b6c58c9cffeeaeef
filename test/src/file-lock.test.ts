// The lock file around the vault store and the audit log: a lock left by an earlier life of our
// own pid (a container's pid 1 after a restart) is taken over, a live owner's is not, and many
// processes taking over abandoned locks at once never hold it together (no lost update).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withFileLock } from '../../src/file-lock.ts';
import { repoRoot } from '../helpers/temporal.ts';

const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-lock-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a lock holding our own pid but another token (a restarted pid 1) is taken over', () =>
  withDir(async (dir) => {
    const lock = join(dir, 'store.lock');
    const earlierLife = {
      pid: process.pid,
      token: 'f'.repeat(24),
      host: hostname(),
      boot,
      start: '1',
    };
    for (const content of [JSON.stringify(earlierLife), String(process.pid)]) {
      await writeFile(lock, content);
      const ran = await withFileLock(lock, () => Promise.resolve('ran'), 1000);
      assert.equal(ran, 'ran', `taken over: ${content}`);
      await assert.rejects(readFile(lock), /ENOENT/, 'released after use');
    }
  }));

test('a live owner keeps its lock; a reused pid with another start time does not', () =>
  withDir(async (dir) => {
    const lock = join(dir, 'store.lock');
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      const pid = owner.pid as number;
      await writeFile(
        lock,
        JSON.stringify({ pid, token: 'a'.repeat(24), host: hostname(), boot, start: '' }),
      );
      await assert.rejects(
        withFileLock(lock, () => Promise.resolve(), 300, 'test_busy'),
        (err: Error & { code?: string }) =>
          err.code === 'test_busy' && err.message.includes(String(pid)),
      );
      const reused = { pid, token: 'a'.repeat(24), host: hostname(), boot, start: '1' };
      await writeFile(lock, JSON.stringify(reused));
      assert.equal(await withFileLock(lock, () => Promise.resolve(1), 1000), 1);
    } finally {
      owner.kill();
    }
  }));

test('processes racing to take over abandoned locks never hold it together', () =>
  withDir(async (dir) => {
    const lock = join(dir, 'counter.lock');
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    const [racers, rounds] = [8, 30];
    const dead = String(deadPid());
    const children = Array.from({ length: racers }, () =>
      spawn(
        process.execPath,
        ['test/helpers/file-lock-racer.ts', lock, counter, String(rounds), dead],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 60_000,
        },
      ),
    );
    try {
      const output: string[] = [];
      const codes = await Promise.all(
        children.map(
          (c) =>
            new Promise<number | null>((resolve) => {
              c.stdout.on('data', (d: Buffer) => output.push(d.toString()));
              c.stderr.on('data', (d: Buffer) => output.push(d.toString()));
              c.on('exit', resolve);
            }),
        ),
      );
      assert.deepEqual(
        codes,
        Array(racers).fill(0),
        `racer exit codes (3: overlap) ${output.join('')}`,
      );
      assert.equal(Number(await readFile(counter, 'utf8')), racers * rounds, 'no lost update');
      const abandoned = output.reduce((sum, o) => sum + Number(o), 0);
      assert.ok(abandoned >= (racers * rounds) / 2, `abandoned locks taken over: ${abandoned}`);
    } finally {
      for (const c of children) c.kill();
    }
  }));
