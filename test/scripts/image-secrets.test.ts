// The Airlock image carries no secret: its build context is made by the Docker CLI (honouring
// .dockerignore, as `docker compose build` does) and sent to the real engine, which builds every
// COPY of the Dockerfile into layers; `docker save` then gives every layer's bytes to scan. No
// registry is reachable here, so the base image becomes `scratch` and RUN steps are dropped: what
// the context puts in the image is exactly what the real build would copy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/temporal.ts';

function docker(args: string[], input?: string): Buffer {
  const r = spawnSync('docker', args, {
    input,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    timeout: 180_000,
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0)
    throw new Error(`docker ${args.join(' ')}: ${r.error?.message ?? ''}${String(r.stderr)}`);
  return r.stdout;
}

/** The Dockerfile with its base image as `scratch` and only the steps that read the context. */
function contextOnlyDockerfile(): string {
  const lines = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').split('\n');
  const kept = lines.filter((l) => /^(FROM|WORKDIR|COPY|ADD)\s/i.test(l));
  assert.ok(
    kept.some((l) => /^(COPY|ADD)\s/i.test(l)),
    'the Dockerfile copies from its context',
  );
  return kept.map((l) => l.replace(/^FROM\s+\S+/i, 'FROM scratch')).join('\n') + '\n';
}

/** Build `context` with the Docker CLI and return every byte of the saved image's layers. */
function buildAndSave(context: string): Buffer {
  const tag = `airlock-secrets-test:${randomBytes(6).toString('hex')}`;
  try {
    docker(['build', '-q', '-t', tag, '-f', '-', context], contextOnlyDockerfile());
    // `docker save` writes each layer as an uncompressed tar: file contents appear as they are.
    return docker(['save', tag]);
  } finally {
    spawnSync('docker', ['rmi', '-f', tag], { timeout: 60_000 });
  }
}

test('secret files planted at every usual path stay out of the image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-context-'));
  try {
    for (const f of ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json'])
      writeFileSync(join(dir, f), readFileSync(join(repoRoot, f)));
    const planted = [
      '.env',
      '.env.production',
      '.env.local',
      'deploy/.env',
      '.data/env',
      '.data/payload.key',
      '.data/production/pg-admin.password',
      'certs/ca.key',
      'certs/operator.pem',
      'deploy/secrets/webhook-token',
      'secrets/vault.key',
      'server.key',
      'tls.pem',
      'id_ed25519',
      '.npmrc',
      '.git-credentials',
      'src/.env',
      'src/certs/airlock.key',
      'src/tls.pem',
      'policies/.env.prod',
      'workers/.data/env',
      'workflows/secrets/x',
    ];
    const canary = new Map<string, string>();
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    for (const path of planted) {
      const value = `SECRET-CANARY-${randomBytes(12).toString('hex')}`;
      canary.set(path, value);
      put(path, `AIRLOCK_VAULT_KEY=${value}\n`);
    }
    // Positive control: a source file the image needs is found by the same scan.
    const control = `SOURCE-CANARY-${randomBytes(12).toString('hex')}`;
    put('src/control.ts', `export const control = '${control}';\n`);

    const image = buildAndSave(dir).toString('latin1');
    assert.ok(image.includes(control), 'the scan sees the files the image holds');
    const leaked = [...canary].filter(([, value]) => image.includes(value)).map(([p]) => p);
    assert.deepEqual(leaked, [], 'secret files copied into the image');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("this checkout's own secrets (.data, certificates, keys) stay out of its image", () => {
  // Every secret value this checkout holds: the settings `make up` wrote and the production
  // profile's passwords and private keys.
  const known: string[] = [];
  const env = join(repoRoot, '.data/env');
  if (existsSync(env))
    for (const line of readFileSync(env, 'utf8').split('\n')) {
      const [k, v] = [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)];
      if (/KEY|TOKEN|PASSWORD|SECRET/.test(k) && !/PUBLIC/.test(k) && v.length >= 16) known.push(v);
    }
  const prod = join(repoRoot, '.data/production');
  for (const f of ['pg-admin.password', 'temporal-db.password', 'state-db.password'])
    if (existsSync(join(prod, f))) known.push(readFileSync(join(prod, f), 'utf8').trim());
  const certs = join(prod, 'certs');
  for (const f of existsSync(certs) ? readdirSync(certs).filter((n) => n.endsWith('.key')) : [])
    // The base64 body of a PEM key, one line of it, is enough to find it.
    known.push(readFileSync(join(certs, f), 'utf8').split('\n')[1] ?? '');
  assert.ok(known.length > 0, 'this checkout has secrets to look for (.data/env from make up)');

  const image = buildAndSave(repoRoot).toString('latin1');
  assert.ok(image.includes('createActivities'), 'the image holds the sources');
  const leaked = known.filter((s) => s && image.includes(s));
  assert.equal(leaked.length, 0, `${leaked.length} of this checkout's secrets are in the image`);
});
