// The vault in PostgreSQL (a private cluster; here Airlock's role owns the database and creates the
// tables itself): round trip, no secret in the table in clear, a record encrypted exactly as the
// file store encrypts it, the wrong key refused, concurrent puts from two workers all kept, a
// deleted or replayed row caught by the seal, and `airlock vault` against the database.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { Keyring } from '../../../src/vault/keys.ts';
import { PgCredentialStore } from '../../../src/vault/pg-store.ts';
import { openRecord, type SealedRecord } from '../../../src/vault/record-crypto.ts';
import type { CredentialInput } from '../../../src/vault/types.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.ts';
import { assertNoLeak, newKey } from './helpers.ts';
import { runCleanups } from '../../helpers/cleanup.ts';

const SECRET = 'sk-live-Zq8pXw3vN7kT2mR9';
let cluster: PostgresCluster | undefined;
const opened: PgCredentialStore[] = [];

function open(active: Buffer, previous: Buffer[] = []): PgCredentialStore {
  const store = new PgCredentialStore({
    url: (cluster as PostgresCluster).url,
    keys: { active, previous },
  });
  opened.push(store);
  return store;
}

const input = (name: string, secret = SECRET): CredentialInput => ({
  name,
  kind: 'bearer',
  scope: { hosts: ['api.example.com'], methods: ['GET'], paths: ['/**'], agents: ['billing'] },
  secret,
});

const rows = async () =>
  (
    await (cluster as PostgresCluster).query<{ name: string; record: string }>(
      'SELECT name, record FROM airlock_vault ORDER BY name',
    )
  ).rows;

before(async () => {
  cluster = await startPostgres();
});

afterEach(async () => {
  await cluster?.query('TRUNCATE airlock_vault, airlock_vault_seal').catch(() => undefined);
});

after(async () => {
  await runCleanups([...opened.map((s) => () => s.close()), () => cluster?.stop()]);
});

test('put, list, resolve, remove round-trip, and another worker sees the same vault', async () => {
  const key = newKey();
  const store = open(key);
  const stored = await store.put(input('stripe'));
  assert.equal(stored.keyId, store.activeKeyId);
  await store.put(input('github', 'ghp_other'));
  assert.deepEqual(
    (await store.list()).map((i) => i.name),
    ['github', 'stripe'],
  );
  assertNoLeak(JSON.stringify(await store.list()), SECRET, 'list()');
  const other = open(key);
  assert.equal((await other.resolve('stripe'))?.secret, SECRET);
  assert.deepEqual((await other.resolve('stripe'))?.info, stored);
  assert.equal(await other.resolve('nope'), undefined);
  assert.equal(await other.remove('stripe'), true);
  assert.equal(await store.remove('stripe'), false);
  assert.deepEqual(
    (await store.list()).map((i) => i.name),
    ['github'],
  );
});

test('the table holds the sealed record, not the secret; it opens with record-crypto like a file record', async () => {
  const key = newKey();
  await open(key).put(input('stripe'));
  const [row] = await rows();
  assert.ok(row);
  assertNoLeak(row.record, SECRET, 'the airlock_vault row');
  const record = JSON.parse(row.record) as SealedRecord;
  assert.equal(openRecord(record, new Keyring({ active: key })), SECRET);
});

test('the wrong key is refused with vault_key_mismatch; nothing is overwritten', async () => {
  const key = newKey();
  await open(key).put(input('stripe'));
  const before = await rows();
  const wrong = open(newKey());
  for (const call of [() => wrong.resolve('stripe'), () => wrong.put(input('other'))]) {
    await assert.rejects(call(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'vault_key_mismatch');
      return true;
    });
  }
  assert.deepEqual(await rows(), before);
  assert.equal((await open(key).resolve('stripe'))?.secret, SECRET);
});

test('concurrent puts from two workers are all kept, and the seal still verifies', async () => {
  const key = newKey();
  const one = open(key);
  const two = open(key);
  const names = Array.from({ length: 20 }, (_, i) => `cred-${String(i).padStart(2, '0')}`);
  await Promise.all(names.map((n, i) => (i % 2 ? one : two).put(input(n, `secret-${n}`))));
  assert.deepEqual(
    (await open(key).list()).map((i) => i.name),
    names,
  );
  for (const n of names) assert.equal((await one.resolve(n))?.secret, `secret-${n}`);
});

test('a deleted row and a row replayed from an older copy fail the seal (vault_tampered)', async () => {
  const key = newKey();
  const store = open(key);
  await store.put(input('a'));
  await store.put(input('b'));
  const old = (await rows()).find((r) => r.name === 'a')?.record;
  await store.put(input('a', 'rotated-secret'));
  const current = (await rows()).find((r) => r.name === 'a')?.record;
  const c = cluster as PostgresCluster;
  const tampered = (err: Error & { code?: string }) => err.code === 'vault_tampered';
  await c.query("UPDATE airlock_vault SET record = $1 WHERE name = 'a'", [old]);
  await assert.rejects(store.resolve('a'), tampered);
  await assert.rejects(store.put(input('x')), tampered, 'no write on a tampered vault');
  await c.query("UPDATE airlock_vault SET record = $1 WHERE name = 'a'", [current]);
  assert.equal((await store.resolve('a'))?.secret, 'rotated-secret');
  await c.query("DELETE FROM airlock_vault WHERE name = 'b'");
  await assert.rejects(open(key).list(), tampered);
});

test('airlock vault set, list and rm work against the database', async () => {
  const key = newKey();
  const env = {
    AIRLOCK_STATE_DB_URL: (cluster as PostgresCluster).url,
    AIRLOCK_VAULT_KEY: key.toString('base64'),
    MY_TOKEN: SECRET,
  };
  let io = bufferIo();
  const set = [
    'vault',
    'set',
    'stripe',
    '--from-env',
    'MY_TOKEN',
    '--kind',
    'bearer',
    '--host',
    'api.example.com',
  ];
  assert.equal(await main([...set, '--agent', 'billing'], io, env), 0, io.err);
  io = bufferIo();
  assert.equal(await main(['vault', 'list'], io, env), 0, io.err);
  assert.match(io.out, /^stripe {2}kind bearer; hosts api\.example\.com/);
  assertNoLeak(io.out, SECRET, 'vault list');
  assert.equal((await open(key).resolve('stripe'))?.secret, SECRET);
  io = bufferIo();
  assert.equal(await main(['vault', 'rm', 'stripe'], io, env), 0, io.err);
  assert.deepEqual(await rows(), []);
});
