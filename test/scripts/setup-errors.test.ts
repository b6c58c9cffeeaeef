// Setup failures each print one clear message naming the cause and the fix (a busy port, an
// unwritable data folder, a missing tool, bad environment values listed at once), and re-running
// a setup step changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

function run(cmd: string, args: string[], env: Record<string, string>, cwd = repoRoot) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * Run `script up` with the port setting `portVar` on a port something else holds: it fails naming
 * the port and the setting that moves it. Returns the data folder it was given.
 */
async function upOnBusyPort(
  script: string,
  portVar: string,
  env: Record<string, string> = {},
): Promise<string> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-port-'));
  let r: ReturnType<typeof run>;
  try {
    r = run('bash', [script, 'up'], { [portVar]: String(port), ...env, AIRLOCK_DATA_DIR: dataDir });
  } finally {
    blocker.close();
  }
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
  assert.match(r.out, new RegExp(`fix: stop it .* or set ${portVar}`));
  return dataDir;
}

test('a busy Temporal port is named, with the fix', async () => {
  await upOnBusyPort('scripts/temporal.sh', 'AIRLOCK_TEMPORAL_PORT', {
    AIRLOCK_TEMPORAL_UI_PORT: '1',
  });
});

test('the production profile names a busy port, with the setting that moves it, before starting anything', async () => {
  const dataDir = await upOnBusyPort('scripts/production.sh', 'AIRLOCK_PROD_PG_PORT');
  assert.deepEqual(readdirSync(join(dataDir, 'production')), [], 'nothing was created');
});

test('an unwritable data folder is named, with the fix', () => {
  const r = run('bash', ['scripts/temporal.sh', 'up'], {
    AIRLOCK_DATA_DIR: '/proc/airlock-cannot-write-here',
  });
  assert.equal(r.code, 1);
  assert.match(r.out, /cannot create \/proc\/airlock-cannot-write-here/);
  assert.match(r.out, /fix: make the folder writable or set AIRLOCK_DATA_DIR/);
});

test('a missing Temporal CLI is named, with the fix', () => {
  // A copy of the scripts in an empty checkout: no .cache/bin/temporal there.
  const root = mkdtempSync(join(tmpdir(), 'airlock-notools-'));
  cpSync(join(repoRoot, 'scripts'), join(root, 'scripts'), { recursive: true });
  const r = run('bash', ['scripts/temporal.sh', 'up'], { PATH: '/usr/bin:/bin' }, root);
  assert.equal(r.code, 1);
  assert.match(r.out, /the Temporal CLI is not installed/);
  assert.match(r.out, /fix: run 'make bootstrap'/);
});

test('bad environment values are all listed at once and the worker exits 2', () => {
  const r = run(process.execPath, ['workers/main.ts'], {
    TEMPORAL_ADDRESS: 'no-port',
    AIRLOCK_SANDBOX_MEMORY_MB: 'lots',
    LOG_LEVEL: 'chatty',
  });
  assert.equal(r.code, 2);
  assert.match(r.out, /Invalid configuration \(3 problems\)/);
  assert.match(r.out, /TEMPORAL_ADDRESS: must be host:port/);
  assert.match(r.out, /AIRLOCK_SANDBOX_MEMORY_MB/);
  assert.match(r.out, /LOG_LEVEL/);
});

test('re-running setup steps changes nothing: no reinstall, no image rebuild', () => {
  const boot = run('bash', ['scripts/bootstrap.sh'], {});
  assert.equal(boot.code, 0, boot.out);
  assert.doesNotMatch(boot.out, /installing/);
  const image = run('bash', ['scripts/sandbox-image.sh'], {});
  assert.equal(image.code, 0, image.out);
  assert.doesNotMatch(image.out, /building sandbox image/);
  assert.match(image.out, /sandbox image: airlock-sandbox:[0-9a-f]{16}/);
});
