// `make up` makes every development key (scripts/dev-keys.sh), the vault's master key among them,
// so the documented `./airlock vault set …` (docs/agents.md) works after `make up` alone, not only after
// `make demo`; running it again keeps the same keys.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

/** The process environment without any Airlock or Temporal setting the test run itself carries. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AIRLOCK_') && !k.startsWith('TEMPORAL_')) env[k] = v;
  }
  return { ...env, ...extra };
}

function run(args: string[], env: NodeJS.ProcessEnv, input = '') {
  const r = spawnSync(args[0] as string, args.slice(1), {
    cwd: repoRoot,
    env,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

test('after the keys make up makes, the documented vault commands work; a second run keeps the keys', () => {
  assert.match(
    readFileSync(join(repoRoot, 'scripts/up.sh'), 'utf8'),
    /^bash "\$ROOT\/scripts\/dev-keys\.sh"$/m,
    'make up (scripts/up.sh) makes the dev keys',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-dev-keys-'));
  try {
    const base = cleanEnv({ AIRLOCK_DATA_DIR: dataDir });
    const made = run(['bash', 'scripts/dev-keys.sh'], base);
    assert.equal(made.code, 0, made.out);
    const first = readEnvFile(join(dataDir, 'env'));
    for (const key of [
      'AIRLOCK_PAYLOAD_KEY',
      'AIRLOCK_VAULT_KEY',
      'AIRLOCK_DECISION_SIGNING_KEY',
      'AIRLOCK_DECISION_PUBLIC_KEYS',
      'AIRLOCK_CODEC_TOKEN',
    ]) {
      assert.ok(first[key], `${key} is in .data/env`);
    }
    assert.equal(Buffer.from(first.AIRLOCK_VAULT_KEY ?? '', 'base64').length, 32);
    assert.equal(statSync(join(dataDir, 'vault.key')).mode & 0o777, 0o600);

    // The documented step for a real model (docs/agents.md), with the settings .data/env holds (as ./airlock loads them).
    const withEnv = { ...base, ...first };
    const set = run(
      [
        process.execPath,
        'bin/airlock.js',
        'vault',
        'set',
        'model-api-key',
        '--from-stdin',
        '--kind',
        'bearer',
        '--host',
        'api.openai.com',
        '--method',
        'POST',
        '--path',
        '/v1/**',
        '--agent',
        'support-bot',
      ],
      withEnv,
      'sk-test-not-a-real-key\n',
    );
    assert.equal(set.code, 0, set.out);
    assert.doesNotMatch(set.out, /No vault master key/);
    const list = run([process.execPath, 'bin/airlock.js', 'vault', 'list'], withEnv);
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, /model-api-key\s+kind bearer; hosts api\.openai\.com/);
    assert.doesNotMatch(list.out, /sk-test-not-a-real-key/);

    const again = run(['bash', 'scripts/dev-keys.sh'], base);
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(readEnvFile(join(dataDir, 'env')), first);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('without the dev keys the same command says no vault master key is configured', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-no-keys-'));
  try {
    const r = run(
      [process.execPath, 'bin/airlock.js', 'vault', 'list'],
      cleanEnv({ AIRLOCK_DATA_DIR: dataDir }),
    );
    assert.equal(r.code, 1);
    assert.match(r.out, /No vault master key is configured/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
