// The suite runner ends a test file that runs past its limit, together with what that file
// started, and reports it as failed by name; the other files still count.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** True while `pid` runs (a killed process may linger a moment as a zombie: that is ended). */
const alive = async (pid: number): Promise<boolean> => {
  for (let i = 0; i < 40; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat || / [ZX] /.test(stat.slice(stat.lastIndexOf(')')))) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
};

test('a hanging test file is ended at its limit and counted as failed by name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-runner-'));
  dirs.push(dir);
  await writeFile(
    join(dir, 'ok.test.ts'),
    "import { test } from 'node:test';\ntest('fine', () => {});\n",
  );
  // Starts a grandchild that would outlive it, then never finishes (a forgotten server).
  await writeFile(
    join(dir, 'hangs.test.ts'),
    [
      "import { spawn } from 'node:child_process';",
      "import { writeFileSync } from 'node:fs';",
      "import { test } from 'node:test';",
      "test('waits forever', async () => {",
      "  const child = spawn('sleep', ['600'], { stdio: 'ignore' });",
      "  writeFileSync('grandchild.pid', String(child.pid));",
      '  await new Promise(() => setInterval(() => {}, 1000));',
      '});',
    ].join('\n'),
  );
  const runner = spawn(
    process.execPath,
    [join(repoRoot, 'scripts/run-tests.ts'), '--file-timeout=4', 'hangs.test.ts', 'ok.test.ts'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  runner.stdout.on('data', (c: Buffer) => (out += c.toString()));
  runner.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const killer = setTimeout(() => runner.kill('SIGKILL'), 60_000);
  const code = await new Promise((resolve) => runner.on('close', resolve));
  clearTimeout(killer);
  assert.equal(code, 1, out);
  assert.match(out, /✖ hangs\.test\.ts: ran past the 4 s limit for one file and was ended/);
  assert.equal(out.trim().split('\n').at(-1), 'tests: 1 passed, 1 failed');
  const summary = JSON.parse(await readFile(join(dir, 'test-results/summary.json'), 'utf8')) as {
    passed: number;
    failed: number;
  };
  assert.deepEqual([summary.passed, summary.failed], [1, 1]);
  const grandchild = Number(await readFile(join(dir, 'grandchild.pid'), 'utf8'));
  assert.equal(await alive(grandchild), false, 'what the file started was ended with it');
});

test('a file that fails to load is a named failure, not a silent pass', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-runner-'));
  dirs.push(dir);
  await writeFile(join(dir, 'broken.test.ts'), "import './missing-module.ts';\n");
  const runner = spawn(
    process.execPath,
    [join(repoRoot, 'scripts/run-tests.ts'), 'broken.test.ts'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  runner.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const killer = setTimeout(() => runner.kill('SIGKILL'), 60_000);
  const code = await new Promise((resolve) => runner.on('close', resolve));
  clearTimeout(killer);
  assert.equal(code, 1);
  assert.match(out, /broken\.test\.ts/);
  assert.match(out.trim().split('\n').at(-1) ?? '', /^tests: 0 passed, [1-9]\d* failed$/);
});
