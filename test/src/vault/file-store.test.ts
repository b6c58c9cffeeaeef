import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { FileCredentialStore } from '../../../src/vault/file-store.ts';
import { Keyring, loadVaultKeys } from '../../../src/vault/keys.ts';
import {
  openRecord,
  sealRecord,
  storeMac,
  type SealedRecord,
} from '../../../src/vault/record-crypto.ts';
import type { CredentialInput } from '../../../src/vault/types.ts';
import { assertNoLeak, newKey, tempDir } from './helpers.ts';

const SECRET = 'ghp_0123456789abcdefSECRETvalue';
const scope = { hosts: ['api.example.com'], methods: ['GET'], paths: ['/**'], agents: ['a1'] };
const cred = (name: string, secret = SECRET): CredentialInput => ({
  name,
  kind: 'bearer',
  scope,
  secret,
});

function setup() {
  const path = join(tempDir(), 'data', 'vault.json');
  const key = newKey();
  return { path, key, store: new FileCredentialStore({ path, keys: { active: key } }) };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    assertNoLeak(err.message, SECRET, 'error message');
    return true;
  });
}

test('put, list, resolve and remove round-trip; list never returns the secret', async () => {
  const { store } = setup();
  const info = await store.put({
    ...cred('gh'),
    scope: { ...scope, hosts: ['API.Example.com'], methods: ['get'] },
  });
  assert.equal(info.kind, 'bearer');
  assert.deepEqual(info.scope.hosts, ['api.example.com']);
  assert.deepEqual(info.scope.methods, ['GET']);
  assert.equal(info.keyId, store.activeKeyId);
  assert.equal((await store.resolve('gh'))?.secret, SECRET);
  assertNoLeak(JSON.stringify(await store.list()), SECRET, 'list');
  assert.equal(await store.remove('gh'), true);
  assert.equal(await store.remove('gh'), false);
  assert.equal(await store.resolve('gh'), undefined);
});

test('an update keeps createdAt and moves updatedAt', async () => {
  const path = join(tempDir(), 'vault.json');
  let t = Date.parse('2025-01-01T00:00:00Z');
  const store = new FileCredentialStore({
    path,
    keys: { active: newKey() },
    now: () => new Date((t += 1000)),
  });
  const first = await store.put(cred('gh'));
  const second = await store.put(cred('gh', 'other'));
  assert.equal(second.createdAt, first.createdAt);
  assert.notEqual(second.updatedAt, first.updatedAt);
  assert.equal((await store.resolve('gh'))?.secret, 'other');
});

test('the store file holds no plaintext secret, has mode 0600, and each write uses a fresh nonce', async () => {
  const { path, store } = setup();
  await store.put(cred('gh'));
  const nonce1 = (JSON.parse(readFileSync(path, 'utf8')) as { records: SealedRecord[] }).records[0]
    ?.nonce;
  await store.put(cred('gh'));
  const bytes = readFileSync(path);
  assertNoLeak(bytes.toString('latin1'), SECRET, 'store file');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const nonce2 = (JSON.parse(bytes.toString()) as { records: SealedRecord[] }).records[0]?.nonce;
  assert.ok(nonce1 && nonce2 && nonce1 !== nonce2);
});

test('writes replace the file by rename; a failure before the rename leaves the old bytes and no temp file', async () => {
  const { path, key, store } = setup();
  await store.put(cred('one'));
  const before = readFileSync(path);
  const inode = statSync(path).ino;
  await store.put(cred('two'));
  assert.notEqual(
    statSync(path).ino,
    inode,
    'new file renamed over the old one, not rewritten in place',
  );

  const snapshot = readFileSync(path);
  const crashing = new FileCredentialStore({
    path,
    keys: { active: key },
    beforeRename: () => Promise.reject(new Error('simulated crash')),
  });
  await assert.rejects(crashing.put(cred('three')), /simulated crash/);
  assert.deepEqual(readFileSync(path), snapshot);
  assert.deepEqual(readdirSync(join(path, '..')).sort(), ['vault.json']);
  assert.notDeepEqual(before, snapshot);
});

test('concurrent writers from two store objects lose no update (lock file)', async () => {
  const { path, key } = setup();
  const a = new FileCredentialStore({ path, keys: { active: key } });
  const b = new FileCredentialStore({ path, keys: { active: key } });
  await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).put(cred(`c${i}`))));
  assert.equal((await a.list()).length, 10);
  assert.equal(existsSync(`${path}.lock`), false);
});

/** Apply `edit` to the store file and check every operation fails with `code`, leaving the bytes. */
async function expectBroken(
  path: string,
  key: Buffer,
  edit: (text: string) => string,
  code: string,
) {
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  const bytes = readFileSync(path);
  const store = new FileCredentialStore({ path, keys: { active: key } });
  await rejectsWith(store.list(), code);
  await rejectsWith(store.resolve('gh'), code);
  await rejectsWith(store.put(cred('new')), code);
  await rejectsWith(store.remove('gh'), code);
  assert.deepEqual(readFileSync(path), bytes, 'nothing overwritten');
}

test('tampering is detected and nothing is overwritten: flipped ciphertext byte', async () => {
  const { path, key, store } = setup();
  await store.put(cred('gh'));
  await expectBroken(
    path,
    key,
    (text) =>
      text.replace(
        /("ciphertext": ")(.)/,
        (_m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A'),
      ),
    'vault_tampered',
  );
});

test('tampering is detected: widened scope, truncated JSON, empty file, foreign shape', async () => {
  for (const edit of [
    (t: string) => t.replace('"api.example.com"', '"*"'),
    (t: string) => t.replace('"a1"', '"a1", "intruder"'),
    (t: string) => t.slice(0, Math.floor(t.length / 2)),
    () => '',
    () => '{"records": []}',
  ]) {
    const { path, key, store } = setup();
    await store.put(cred('gh'));
    await expectBroken(path, key, edit, 'vault_tampered');
  }
});

test('a deleted record is detected (the store seal covers the record list)', async () => {
  const { path, key, store } = setup();
  await store.put(cred('gh'));
  await store.put(cred('zz'));
  await expectBroken(
    path,
    key,
    (t) => {
      const file = JSON.parse(t) as { records: SealedRecord[] };
      file.records.pop();
      return JSON.stringify(file);
    },
    'vault_tampered',
  );
});

test('GCM additional data binds a ciphertext to its record: swapped records fail even with a valid seal', async () => {
  const master = newKey();
  const ring = new Keyring({ active: master });
  const at = new Date().toISOString();
  const meta = (name: string) => ({
    name,
    kind: 'bearer' as const,
    scope,
    createdAt: at,
    updatedAt: at,
  });
  const a = sealRecord(meta('a'), 'secret-a', ring.active);
  const b = sealRecord(meta('b'), 'secret-b', ring.active);
  assert.equal(openRecord(a, ring), 'secret-a');
  const swapped = { ...a, nonce: b.nonce, ciphertext: b.ciphertext };
  assert.throws(() => openRecord(swapped, ring), { code: 'vault_tampered' });
  assert.throws(() => openRecord({ ...a, scope: { ...scope, agents: ['x'] } }, ring), {
    code: 'vault_tampered',
  });

  // Even someone able to recompute the store seal cannot move a ciphertext between names.
  const path = join(tempDir(), 'vault.json');
  const records = [{ ...a, ciphertext: b.ciphertext, nonce: b.nonce }, b];
  const file = {
    format: 'airlock-vault',
    version: 1,
    keyId: ring.active.id,
    mac: storeMac(records, ring.active),
    records,
  };
  writeFileSync(path, JSON.stringify(file));
  const store = new FileCredentialStore({ path, keys: { active: master } });
  assert.equal((await store.resolve('b'))?.secret, 'secret-b');
  await assert.rejects(store.resolve('a'), { code: 'vault_tampered' });
});

test('wrong master key: vault_key_mismatch, nothing overwritten', async () => {
  const { path, store } = setup();
  await store.put(cred('gh'));
  await expectBroken(path, newKey(), (t) => t, 'vault_key_mismatch');
});

test('rotation: old records stay readable with the old key as a previous key; rotate re-encrypts', async () => {
  const { path, key: oldKey, store: oldStore } = setup();
  await oldStore.put(cred('old'));
  const newKeyBytes = newKey();
  const both = new FileCredentialStore({ path, keys: { active: newKeyBytes, previous: [oldKey] } });
  assert.equal((await both.resolve('old'))?.secret, SECRET);
  const added = await both.put(cred('new', 'new-secret'));
  assert.equal(added.keyId, both.activeKeyId);
  assert.notEqual((await both.list()).find((i) => i.name === 'old')?.keyId, both.activeKeyId);

  const onlyNew = new FileCredentialStore({ path, keys: { active: newKeyBytes } });
  assert.equal((await onlyNew.resolve('new'))?.secret, 'new-secret');
  await rejectsWith(onlyNew.resolve('old'), 'vault_key_mismatch');

  assert.equal(await both.rotate(), 1);
  const after = new FileCredentialStore({ path, keys: { active: newKeyBytes } });
  assert.equal((await after.resolve('old'))?.secret, SECRET);
  assert.ok((await after.list()).every((i) => i.keyId === after.activeKeyId));
});

test('keys from config: missing key explains how to make one; key file and previous keys are read', () => {
  assert.throws(
    () => loadVaultKeys({}),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'vault_key_missing');
      assert.match(err.message, /AIRLOCK_VAULT_KEY\b/);
      assert.match(err.message, /AIRLOCK_VAULT_KEY_FILE/);
      assert.match(err.message, /openssl rand -base64 32/);
      return true;
    },
  );
  const key = newKey();
  const file = join(tempDir(), 'key');
  writeFileSync(file, `${key.toString('base64')}\n`);
  const old = newKey();
  const keys = loadVaultKeys({
    AIRLOCK_VAULT_KEY_FILE: file,
    AIRLOCK_VAULT_PREVIOUS_KEYS: old.toString('base64'),
  });
  assert.deepEqual(keys.active, key);
  assert.deepEqual(keys.previous, [old]);
  assert.throws(
    () => loadConfig({ AIRLOCK_VAULT_PREVIOUS_KEYS: `${old.toString('base64')},short` }),
    {
      code: 'config_invalid',
    },
  );
  assert.throws(() => loadVaultKeys({ AIRLOCK_VAULT_KEY_FILE: join(tempDir(), 'none') }), {
    code: 'vault_key_missing',
  });
  assert.throws(
    () =>
      loadVaultKeys({ AIRLOCK_VAULT_KEY: key.toString('base64'), AIRLOCK_VAULT_KEY_FILE: file }),
    {
      code: 'vault_key_invalid',
    },
  );
});

test('invalid credentials are refused without quoting the secret', async () => {
  const { store } = setup();
  const bad: CredentialInput[] = [
    { ...cred('x'), secret: `${SECRET}\r\nX-Injected: 1` },
    { ...cred('x'), kind: 'basic' },
    { ...cred('x'), kind: 'header' },
    { ...cred('x'), kind: 'header', headerName: 'Host' },
    { ...cred('x'), kind: 'query' },
    { ...cred('x'), scope: { ...scope, hosts: [] } },
    { ...cred('x'), scope: { ...scope, paths: ['admin'] } },
    { ...cred('bad name') },
  ];
  for (const input of bad) await rejectsWith(store.put(input), 'vault_invalid');
  assert.deepEqual(await store.list(), []);
});
