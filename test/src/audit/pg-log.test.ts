// The audit log in PostgreSQL (a private cluster, set up by docker-compose.yml's state-db script):
// the same records and chain as the file log, idempotent ids, two workers appending at once keep
// one chain, a changed row and a cut tail are caught (by verify and by the next append), Airlock's
// role cannot UPDATE or DELETE (nor can the owner while the trigger is on), the CLI verifies, and
// readAfter (the history comparison's incremental read) sees every worker's appends.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { anchorKey as deriveAnchorKey } from '../../../src/audit/anchor.ts';
import { recordHash } from '../../../src/audit/chain.ts';
import { AuditLog, type AuditEvent, type AuditRecord } from '../../../src/audit/log.ts';
import { PgAuditLog } from '../../../src/audit/pg-log.ts';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.ts';
import { asOwnerBypassingTrigger, createStateDb, sqlOn } from '../../helpers/state-db.ts';
import type { StateDb } from '../../helpers/state-db.ts';
import { runCleanups } from '../../helpers/cleanup.ts';

let cluster: PostgresCluster | undefined;
let db: StateDb | undefined;
const opened: PgAuditLog[] = [];
const payloadKey = randomBytes(32).toString('base64');
const anchorKey = deriveAnchorKey({ AIRLOCK_PAYLOAD_KEY: payloadKey });

const event = (id: string, n = 0): AuditEvent => ({
  id,
  type: 'decision',
  at: `2026-11-25T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
  workflowId: 'action:r1',
  approver: { platform: 'teams', userId: 'u1', tenantId: 't1', displayName: 'Alice Approver' },
  requestHash: 'abc123',
  policyRule: null,
  policyHash: 'f00d',
  detail: { n, note: 'ünïcode ✓' },
});

function open(): PgAuditLog {
  const log = new PgAuditLog({ url: (db as StateDb).appUrl, anchorKey });
  opened.push(log);
  return log;
}

before(async () => {
  cluster = await startPostgres();
  db = createStateDb(cluster);
});

afterEach(async () => {
  if (db) await asOwnerBypassingTrigger(db, 'TRUNCATE airlock_audit, airlock_audit_head');
});

after(async () => {
  await runCleanups([...opened.map((l) => () => l.close()), () => cluster?.stop()]);
});

test('the same events make the same records and chain as the file log; an id is appended once', async () => {
  const log = open();
  const file = new AuditLog(join(mkdtempSync(join(tmpdir(), 'airlock-audit-')), 'a.jsonl'), {
    anchorKey,
  });
  const a = await log.append(event('e1', 1));
  const b = await log.append(event('e2', 2));
  const again = await log.append({ ...event('e1', 9), type: 'other' });
  assert.deepEqual(again, a);
  await file.append(event('e1', 1));
  await file.append(event('e2', 2));
  assert.deepEqual(await log.read(), await file.read());
  assert.deepEqual(await log.verify(), { ok: true, count: 2, head: b.hash });
  assert.deepEqual(await open().read(), [a, b], 'another worker reads the same records');
});

test('readAfter gives the records after a seq, including those another worker appended', async () => {
  const one = open();
  const two = open();
  const a = await one.append(event('e1', 1));
  const b = await two.append(event('e2', 2));
  const c = await one.append(event('e3', 3));
  assert.deepEqual(await one.readAfter(0), [a, b, c]);
  assert.deepEqual(await two.readAfter(a.seq), [b, c]);
  assert.deepEqual(await one.readAfter(c.seq), []);
});

test('two workers appending at once keep one chain, each id once', async () => {
  const one = open();
  const two = open();
  const ids = Array.from({ length: 30 }, (_, i) => `id-${i}`);
  await Promise.all(
    ids.flatMap((id, i) => [one.append(event(id, i)), two.append(event(ids[29 - i] as string, i))]),
  );
  const records = await one.read();
  assert.deepEqual(
    records.map((r) => r.seq),
    ids.map((_, i) => i + 1),
  );
  assert.deepEqual(new Set(records.map((r) => r.id)), new Set(ids));
  const verdict = await two.verify();
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
});

test("Airlock's role cannot UPDATE or DELETE records; the owner cannot either while the trigger is on", async () => {
  const d = db as StateDb;
  await open().append(event('e1'));
  for (const sql of [
    `UPDATE airlock_audit SET type = 'x'`,
    'DELETE FROM airlock_audit',
    'TRUNCATE airlock_audit',
  ]) {
    await assert.rejects(sqlOn(d.appUrl, sql), /permission denied/, `app: ${sql}`);
    await assert.rejects(sqlOn(d.ownerUrl, sql), /append-only/, `owner: ${sql}`);
  }
  assert.equal((await open().read()).length, 1);
});

test('verify finds a row changed by the owner, and says which', async () => {
  const log = open();
  for (let i = 1; i <= 3; i++) await log.append(event(`e${i}`, i));
  await asOwnerBypassingTrigger(
    db as StateDb,
    `UPDATE airlock_audit SET record = replace(record, '"displayName":"Alice Approver"', '"displayName":"Mallory"') WHERE seq = 2`,
  );
  assert.match(JSON.stringify(await log.read()), /Mallory/);
  assert.deepEqual(await log.verify(), {
    ok: false,
    count: 1,
    seq: 2,
    problem: 'record 2 was modified',
  });
  const io = bufferIo();
  const env = { AIRLOCK_STATE_DB_URL: (db as StateDb).appUrl };
  assert.equal(await main(['audit', 'verify'], io, env), 1);
  assert.match(io.err, /BROKEN at record 2: record 2 was modified/);
  assert.match(io.err, /table airlock_audit in 127\.0\.0\.1:\d+\/airlock_state/);
  assert.doesNotMatch(io.err, /airlock_state:[0-9a-f]{24}@/, 'no password in the message');
});

test('a cut tail is caught by verify and refused by the next append', async () => {
  const log = open();
  for (let i = 1; i <= 3; i++) await log.append(event(`e${i}`, i));
  await asOwnerBypassingTrigger(db as StateDb, 'DELETE FROM airlock_audit WHERE seq = 3');
  const verdict = await log.verify();
  assert.equal(verdict.ok, false);
  assert.match(
    verdict.ok ? '' : verdict.problem,
    /ends at record 2 but the anchor says 3: 1 record missing/,
  );
  await assert.rejects(log.append(event('e4')), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'audit_tampered');
    return true;
  });
  assert.equal((await log.read()).length, 2, 'nothing appended after the cut');
});

test('a correctly chained row inserted by someone else is named by verify and refused by the next append', async () => {
  const log = open();
  for (let i = 1; i <= 2; i++) await log.append(event(`e${i}`, i));
  const last = (await log.read()).at(-1) as AuditRecord;
  // Airlock's own database role may INSERT: an insider with it chains a record, without the key.
  const body = { ...event('forged', 3), type: 'action.executed', seq: 3, prevHash: last.hash };
  const forged = { ...body, hash: recordHash(body), mac: last.mac };
  await sqlOn(
    (db as StateDb).appUrl,
    'INSERT INTO airlock_audit (seq, id, at, type, record) VALUES ($1, $2, $3, $4, $5)',
    [3, forged.id, forged.at, forged.type, JSON.stringify(forged)],
  );
  const verdict = await log.verify();
  assert.match(verdict.ok ? '' : verdict.problem, /record 3 was not written by Airlock/);
  await assert.rejects(log.append(event('e4', 4)), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'audit_tampered');
    assert.match(err.message, /record 3 was not written by Airlock/);
    return true;
  });
  assert.equal((await log.read()).length, 3, 'nothing appended after the forged row');
});

test('airlock audit verify and export go to the database when AIRLOCK_STATE_DB_URL is set', async () => {
  const log = open();
  await log.append(event('e1', 1));
  await log.append(event('e2', 2));
  const env = { AIRLOCK_STATE_DB_URL: (db as StateDb).appUrl, AIRLOCK_PAYLOAD_KEY: payloadKey };
  let io = bufferIo();
  assert.equal(await main(['audit', 'verify'], io, env), 0, io.err);
  assert.match(io.out, /audit log OK: 2 records, head [0-9a-f]{16} \(table airlock_audit in /);
  io = bufferIo();
  // Another payload key derives another audit key: no record's signature matches, from the first.
  const otherKey = randomBytes(32).toString('base64');
  assert.equal(await main(['audit', 'verify'], io, { ...env, AIRLOCK_PAYLOAD_KEY: otherKey }), 1);
  assert.match(io.err, /record 1 was not written by Airlock \(its signature does not match/);
  io = bufferIo();
  assert.equal(await main(['audit', 'export'], io, env), 0);
  assert.deepEqual(
    io.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id),
    ['e1', 'e2'],
  );
});

test('appends waiting at once share one transaction, in call order, each id once', async () => {
  const log = open();
  await log.append(event('first'));
  const before = log.commits;
  const ids = Array.from({ length: 100 }, (_, i) => `g${i}`);
  const records = await Promise.all(
    [...ids, 'g5', 'first'].map((id, i) => log.append(event(id, i))),
  );
  assert.deepEqual(
    records.slice(0, 100).map((r) => r.seq),
    ids.map((_, i) => i + 2),
  );
  assert.deepEqual(records[100], records[5]);
  assert.equal(records[101]?.seq, 1);
  assert.ok(log.commits - before <= 2, `102 appends took ${log.commits - before} transactions`);
  assert.deepEqual(await log.verify(), { ok: true, count: 101, head: records[99]?.hash });
});
