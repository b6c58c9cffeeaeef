import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { FileCredentialStore } from '../../../src/vault/file-store.ts';
import type { CredentialInfo } from '../../../src/vault/types.ts';
import { assertNoLeak, newKey, tempDir } from './helpers.ts';

const SECRET = 'xoxb-cli-secret-4242/abc';

function env(extra: Record<string, string> = {}): {
  key: Buffer;
  path: string;
  env: Record<string, string>;
} {
  const key = newKey();
  const dir = tempDir();
  return {
    key,
    path: join(dir, 'vault.json'),
    env: {
      AIRLOCK_DATA_DIR: dir,
      AIRLOCK_VAULT_KEY: key.toString('base64'),
      MY_TOKEN: SECRET,
      ...extra,
    },
  };
}

async function cli(args: string[], e: Record<string, string>, stdin = '') {
  const io = bufferIo(stdin);
  const code = await main(['vault', ...args], io, e);
  return { code, out: io.out, err: io.err };
}

test('set from env, list, list --json, rm: values never printed, store file under AIRLOCK_DATA_DIR', async () => {
  const { env: e, key, path } = env();
  const set = await cli(
    [
      'set',
      'slack',
      '--from-env',
      'MY_TOKEN',
      '--kind',
      'bearer',
      '--host',
      'slack.com',
      '--host',
      '*.slack.com',
      '--method',
      'POST',
      '--path',
      '/api/**',
      '--agent',
      'ops',
    ],
    e,
  );
  assert.equal(set.code, 0, set.err);
  assert.match(set.out, /stored credential "slack"/);
  const store = new FileCredentialStore({ path, keys: { active: key } });
  assert.equal((await store.resolve('slack'))?.secret, SECRET);

  const list = await cli(['list'], e);
  assert.equal(list.code, 0);
  assert.match(
    list.out,
    /slack .*kind bearer; hosts slack\.com,\*\.slack\.com; methods POST; paths \/api\/\*\*; agents ops/,
  );
  const json = await cli(['list', '--json'], e);
  const infos = JSON.parse(json.out) as CredentialInfo[];
  assert.deepEqual(infos[0]?.scope, {
    hosts: ['slack.com', '*.slack.com'],
    methods: ['POST'],
    paths: ['/api/**'],
    agents: ['ops'],
  });

  const rm = await cli(['rm', 'slack'], e);
  assert.equal(rm.code, 0);
  const again = await cli(['rm', 'slack'], e);
  assert.equal(again.code, 1);
  assert.match(again.err, /no credential named "slack"/);
  assert.match((await cli(['list'], e)).out, /no credentials/);

  for (const r of [set, list, json, rm, again]) assertNoLeak(r.out + r.err, SECRET, 'CLI output');
  assertNoLeak(readFileSync(path, 'latin1'), SECRET, 'store file');
});

test('set from a file (trailing newline dropped) and from stdin; header and query kinds; defaults', async () => {
  const { env: e, key, path } = env({ AIRLOCK_VAULT_FILE: join(tempDir(), 'custom.json') });
  const file = join(tempDir(), 'secret.txt');
  writeFileSync(file, `${SECRET}\n`);
  const a = await cli(
    [
      'set',
      'hdr',
      '--from-file',
      file,
      '--kind',
      'header',
      '--header-name',
      'X-Api-Key',
      '--host',
      'api.example.com',
    ],
    e,
  );
  assert.equal(a.code, 0, a.err);
  assert.match(a.err, /no --agent given/);
  const b = await cli(
    [
      'set',
      'q',
      '--from-stdin',
      '--kind',
      'query',
      '--param-name',
      'key',
      '--host',
      'api.example.com',
      '--agent',
      'x',
    ],
    e,
    `${SECRET}\n`,
  );
  assert.equal(b.code, 0, b.err);
  const store = new FileCredentialStore({
    path: e.AIRLOCK_VAULT_FILE ?? '',
    keys: { active: key },
  });
  const hdr = await store.resolve('hdr');
  assert.equal(hdr?.secret, SECRET);
  assert.deepEqual(hdr?.info.scope, {
    hosts: ['api.example.com'],
    methods: ['GET'],
    paths: ['/**'],
    agents: [],
  });
  assert.equal(hdr?.info.headerName, 'X-Api-Key');
  assert.equal((await store.resolve('q'))?.info.paramName, 'key');
  assert.throws(
    () => readFileSync(path),
    { code: 'ENOENT' },
    'AIRLOCK_VAULT_FILE overrides the default path',
  );
  assertNoLeak(a.out + a.err + b.out + b.err, SECRET, 'CLI output');
});

test('the secret is never accepted as an argument, and a stray argument is not echoed', async () => {
  const { env: e } = env();
  const positional = await cli(
    ['set', 'slack', SECRET, '--kind', 'bearer', '--host', 'slack.com', '--from-env', 'MY_TOKEN'],
    e,
  );
  assert.equal(positional.code, 2);
  assert.match(positional.err, /never accepted as an argument/);
  const option = await cli(
    ['set', 'slack', `--value=${SECRET}`, '--kind', 'bearer', '--host', 'slack.com'],
    e,
  );
  assert.equal(option.code, 2);
  const none = await cli(['set', 'slack', '--kind', 'bearer', '--host', 'slack.com'], e);
  assert.equal(none.code, 2);
  assert.match(none.err, /--from-env VAR, --from-file F, --from-stdin/);
  for (const r of [positional, option, none]) assertNoLeak(r.out + r.err, SECRET, 'CLI output');
  assert.match((await cli(['list'], e)).out, /no credentials/);
});

test('bad secrets and scopes are refused without echoing the value', async () => {
  const { env: e } = env({ BAD: `${SECRET}\nX-Evil: 1` });
  const r = await cli(['set', 's', '--from-env', 'BAD', '--kind', 'bearer', '--host', 'a.com'], e);
  assert.equal(r.code, 1);
  assert.match(r.err, /not allowed in an HTTP header/);
  assertNoLeak(r.out + r.err, SECRET, 'CLI output');
  const basic = await cli(
    ['set', 's', '--from-env', 'MY_TOKEN', '--kind', 'basic', '--host', 'a.com'],
    e,
  );
  assert.match(basic.err, /user:password/);
  assertNoLeak(basic.out + basic.err, SECRET, 'CLI output');
  const noHost = await cli(['set', 's', '--from-env', 'MY_TOKEN', '--kind', 'bearer'], e);
  assert.match(noHost.err, /at least one host/);
  const unset = await cli(
    ['set', 's', '--from-env', 'NOPE', '--kind', 'bearer', '--host', 'a.com'],
    e,
  );
  assert.match(unset.err, /NOPE is not set/);
});

test('missing master key: names both variables and how to generate a key', async () => {
  const r = await cli(['list'], { AIRLOCK_DATA_DIR: tempDir() });
  assert.equal(r.code, 1);
  assert.match(r.err, /AIRLOCK_VAULT_KEY\b/);
  assert.match(r.err, /AIRLOCK_VAULT_KEY_FILE/);
  assert.match(r.err, /openssl rand -base64 32/);
  assert.match(r.err, /\[vault_key_missing\]/);
});

test('wrong key and tampered store: clear codes in the message, file unchanged', async () => {
  const { env: e, path } = env();
  assert.equal(
    (await cli(['set', 's', '--from-env', 'MY_TOKEN', '--kind', 'bearer', '--host', 'a.com'], e))
      .code,
    0,
  );
  const bytes = readFileSync(path);
  const wrong = { ...e, AIRLOCK_VAULT_KEY: newKey().toString('base64') };
  const r = await cli(
    ['set', 't', '--from-env', 'MY_TOKEN', '--kind', 'bearer', '--host', 'a.com'],
    wrong,
  );
  assert.equal(r.code, 1);
  assert.match(r.err, /wrong AIRLOCK_VAULT_KEY\?.*\[vault_key_mismatch\]/s);
  assert.deepEqual(readFileSync(path), bytes);
  writeFileSync(path, bytes.subarray(0, 40));
  const t = await cli(['rm', 's'], e);
  assert.equal(t.code, 1);
  assert.match(t.err, /not valid JSON.*\[vault_tampered\]/s);
  assert.deepEqual(readFileSync(path), bytes.subarray(0, 40));
});

test('rotate re-encrypts under the new key; the old key then is no longer needed', async () => {
  const { env: e, key: oldKey, path } = env();
  assert.equal(
    (await cli(['set', 's', '--from-env', 'MY_TOKEN', '--kind', 'bearer', '--host', 'a.com'], e))
      .code,
    0,
  );
  const fresh = newKey().toString('base64');
  const rotating = {
    ...e,
    AIRLOCK_VAULT_KEY: fresh,
    AIRLOCK_VAULT_PREVIOUS_KEYS: oldKey.toString('base64'),
  };
  const r = await cli(['rotate'], rotating);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /re-encrypted 1 credential/);
  const onlyFresh = new FileCredentialStore({
    path,
    keys: { active: Buffer.from(fresh, 'base64') },
  });
  assert.equal((await onlyFresh.resolve('s'))?.secret, SECRET);
});

test('usage and unknown commands', async () => {
  const { env: e } = env();
  assert.equal((await cli(['help'], e)).code, 0);
  const r = await cli(['frobnicate'], e);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command "frobnicate"/);
  const top = bufferIo();
  assert.equal(await main(['help'], top), 0);
  assert.match(top.out, /airlock vault/);
});
