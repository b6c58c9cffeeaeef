// .data/env holds the payload key and the codec token: scripts/lib.sh's env_set leaves it readable
// by its owner only, and tightens a file an older version left world-readable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

function envSet(dataDir: string, key: string, value: string) {
  const r = spawnSync(
    'bash',
    ['-c', `. scripts/lib.sh && env_set "$1" "$2"`, 'env-set', key, value],
    {
      cwd: repoRoot,
      env: { ...process.env, AIRLOCK_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
}

test('env_set writes .data/env with mode 0600, also over an older world-readable file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-env-'));
  try {
    const file = join(dataDir, 'env');
    envSet(dataDir, 'AIRLOCK_CODEC_TOKEN', 'secret-one');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(file, 'OLD=1\n');
    chmodSync(file, 0o644);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    envSet(dataDir, 'AIRLOCK_PAYLOAD_KEY', 'secret-two');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'OLD=1\nAIRLOCK_PAYLOAD_KEY=secret-two\n');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
