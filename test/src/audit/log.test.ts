// The audit log: idempotent appends, a chain that verifies, and tampering that is caught and
// located, a cut tail caught by the signed head anchor; the CLI verifies and exports (JSON lines
// and CSV); readAfter reads only what was appended since it last stopped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { anchorKey, writeAnchor } from '../../../src/audit/anchor.ts';
import { recordHash, recordMac } from '../../../src/audit/chain.ts';
import { AuditLog, type AuditEvent, type AuditRecord } from '../../../src/audit/log.ts';
import { openAuditLog } from '../../../src/audit/open.ts';
import { loadConfig } from '../../../src/config.ts';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { repoRoot } from '../../helpers/temporal.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'airlock-audit-')), 'audit.jsonl');
const event = (id: string, at = '2026-11-25T10:00:00.000Z'): AuditEvent => ({
  id,
  type: 'decision',
  at,
  workflowId: 'action:r1',
  approver: {
    platform: 'teams',
    userId: 'u1',
    aadObjectId: 'aad-1',
    tenantId: 't1',
    displayName: 'Alice Approver',
  },
  requestHash: 'abc123',
  policyRule: 'refunds-over-50',
  policyHash: 'f00d',
});

test('appends chain together, an appended id is not appended twice, and the chain verifies', async () => {
  const log = new AuditLog(file());
  const a = await log.append(event('e1'));
  const b = await log.append(event('e2'));
  const again = await log.append(event('e1'));
  assert.equal(a.seq, 1);
  assert.equal(b.prevHash, a.hash);
  assert.deepEqual(again, a);
  assert.equal((await log.read()).length, 2);
  assert.deepEqual(await log.verify(), { ok: true, count: 2, head: b.hash });
});

test('two logs on one file (two processes) keep one chain', async () => {
  const path = file();
  const one = new AuditLog(path);
  const two = new AuditLog(path);
  await Promise.all([
    one.append(event('a')),
    two.append(event('b')),
    one.append(event('c')),
    two.append(event('a')),
  ]);
  const records = await one.read();
  assert.deepEqual(
    records.map((r) => r.seq),
    [1, 2, 3],
  );
  assert.deepEqual(new Set(records.map((r) => r.id)), new Set(['a', 'b', 'c']));
  assert.equal((await one.verify()).ok, true);
});

test('an edited, deleted or reordered record is detected and located', async () => {
  const path = file();
  const log = new AuditLog(path);
  for (const id of ['e1', 'e2', 'e3']) await log.append(event(id));
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, original.replace('Alice Approver', 'Mallory Outsider'));
  assert.deepEqual(await new AuditLog(path).verify(), {
    ok: false,
    count: 0,
    seq: 1,
    problem: 'record 1 was modified',
  });
  const lines = original.split('\n').filter(Boolean);
  writeFileSync(path, `${[lines[0], lines[2]].join('\n')}\n`);
  assert.equal((await new AuditLog(path).verify()).ok, false);
  writeFileSync(path, `${[lines[1], lines[0], lines[2]].join('\n')}\n`);
  assert.equal((await new AuditLog(path).verify()).ok, false);
});

test('airlock audit verify and export (jsonl, csv, --since), and a broken chain exits 1', async () => {
  const path = file();
  const log = new AuditLog(path);
  await log.append(event('old', '2026-11-01T00:00:00.000Z'));
  await log.append({ ...event('new', '2026-11-25T12:00:00.000Z'), detail: { note: '=cmd|calc' } });
  const env = { AIRLOCK_AUDIT_FILE: path };
  let io = bufferIo();
  assert.equal(await main(['audit', 'verify'], io, env), 0);
  assert.match(io.out, /audit log OK: 2 records/);
  io = bufferIo();
  assert.equal(await main(['audit', 'export', '--since', '2026-11-20T00:00:00Z'], io, env), 0);
  assert.deepEqual(
    io.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id),
    ['new'],
  );
  io = bufferIo();
  assert.equal(await main(['audit', 'export', '--format', 'csv'], io, env), 0);
  const rows = io.out.trim().split('\n');
  assert.equal(rows.length, 3);
  assert.match(rows[0] ?? '', /^seq,at,type,workflowId/);
  assert.match(rows[1] ?? '', /Alice Approver,aad-1,t1,abc123,refunds-over-50/);
  io = bufferIo();
  assert.equal(await main(['audit', 'export', '--format', 'xml'], io, env), 2);
  writeFileSync(path, readFileSync(path, 'utf8').replace('refunds-over-50', 'small-refunds'));
  io = bufferIo();
  assert.equal(await main(['audit', 'verify'], io, env), 1);
  assert.match(io.err, /BROKEN at record 1: record 1 was modified/);
});

test('the airlock binary runs audit verify as a real process', async () => {
  const path = file();
  await openAuditLog(loadConfig({ ...process.env, AIRLOCK_AUDIT_FILE: path })).append(event('x'));
  const child = spawn(process.execPath, ['bin/airlock.js', 'audit', 'verify'], {
    cwd: repoRoot,
    env: { ...process.env, AIRLOCK_AUDIT_FILE: path },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.match(out, /1 records/);
});

test('a cut tail is caught by the signed anchor; the log then refuses to grow over it', async () => {
  const path = file();
  const env = {
    AIRLOCK_AUDIT_FILE: path,
    AIRLOCK_PAYLOAD_KEY: Buffer.alloc(32, 3).toString('base64'),
  };
  const log = openAuditLog(loadConfig(env));
  for (const id of ['e1', 'e2', 'e3', 'e4']) await log.append(event(id));
  let io = bufferIo();
  assert.equal(await main(['audit', 'verify'], io, env), 0, io.err);
  assert.match(io.out, /audit log OK: 4 records/);

  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  writeFileSync(path, `${lines.slice(0, 2).join('\n')}\n`);
  io = bufferIo();
  assert.equal(await main(['audit', 'verify'], io, env), 1);
  assert.match(
    io.err,
    /BROKEN at record 3: the log ends at record 2 but the anchor says 4: 2 records missing from the end/,
  );
  await assert.rejects(
    openAuditLog(loadConfig(env)).append(event('e5')),
    (err: Error & { code?: string }) =>
      err.code === 'audit_tampered' && /2 records missing/.test(err.message),
  );

  // Moving the anchor back with the cut needs the key: an unsigned or foreign-key anchor fails.
  const head = JSON.parse(lines[1] as string) as { seq: number; hash: string };
  for (const key of [undefined, Buffer.alloc(32, 9)]) {
    await writeAnchor(`${path}.head`, head, key);
    io = bufferIo();
    assert.equal(await main(['audit', 'verify'], io, env), 1);
    assert.match(io.err, /anchor is not signed with this installation/);
  }
  rmSync(`${path}.head`);
  io = bufferIo();
  assert.equal(await main(['audit', 'verify'], io, env), 1);
  assert.match(io.err, /no anchor .* may have been cut/);
});

test('a correctly chained record appended by someone else is named by verify and refused by the next append', async () => {
  const path = file();
  const env = {
    AIRLOCK_AUDIT_FILE: path,
    AIRLOCK_PAYLOAD_KEY: Buffer.alloc(32, 3).toString('base64'),
    AIRLOCK_AUDIT_KEY: Buffer.alloc(32, 4).toString('base64'),
  };
  const log = openAuditLog(loadConfig(env));
  for (const id of ['e1', 'e2']) await log.append(event(id));
  const good = readFileSync(path, 'utf8');
  // The forger can read the file and chain a record after its head, but holds no key of Airlock's:
  // no signature, one made with another key, or the last genuine record's signature copied.
  const last = JSON.parse(good.trim().split('\n').at(-1) as string) as AuditRecord;
  const body = { ...event('forged'), type: 'action.executed', seq: 3, prevHash: last.hash };
  const hash = recordHash(body);
  const foreign = anchorKey({ AIRLOCK_PAYLOAD_KEY: Buffer.alloc(32, 9).toString('base64') });
  // A service that holds the payload key but not the audit key (the webhook) signs with the wrong key.
  const payloadOnly = anchorKey({ AIRLOCK_PAYLOAD_KEY: env.AIRLOCK_PAYLOAD_KEY });
  const forgeries = [
    { ...body, hash },
    { ...body, hash, mac: recordMac(payloadOnly as Buffer, hash) },
    { ...body, hash, mac: (await new AuditLog(file(), { anchorKey: foreign }).append(body)).mac },
    { ...body, hash, mac: last.mac },
  ];
  for (const forged of forgeries) {
    writeFileSync(path, `${good}${JSON.stringify(forged)}\n`);
    const io = bufferIo();
    assert.equal(await main(['audit', 'verify'], io, env), 1);
    assert.match(io.err, /BROKEN at record 3: record 3 was not written by Airlock/);
    await assert.rejects(
      openAuditLog(loadConfig(env)).append(event('e3')),
      (err: Error & { code?: string }) =>
        err.code === 'audit_tampered' && /record 3 was not written by Airlock/.test(err.message),
    );
    assert.equal(readFileSync(path, 'utf8').split('\n').filter(Boolean).length, 3);
  }
  // A process of Airlock's that already read the genuine records refuses the forged one as well.
  writeFileSync(path, good);
  const warm = openAuditLog(loadConfig(env));
  await warm.append(event('e1'));
  writeFileSync(path, `${good}${JSON.stringify(forgeries[0])}\n`);
  await assert.rejects(warm.append(event('e3')), /record 3 was not written by Airlock/);
});

test('records from before records were signed verify; none may follow the signed ones', async () => {
  const path = file();
  const key = Buffer.alloc(32, 5);
  await new AuditLog(path, { anchorKey: key }).append(event('old'));
  // An older Airlock signed only the anchor: its record carries no signature of its own.
  const { mac: _mac, ...old } = JSON.parse(readFileSync(path, 'utf8')) as AuditRecord;
  writeFileSync(path, `${JSON.stringify(old)}\n`);
  await new AuditLog(path, { anchorKey: key }).append(event('new'));
  assert.equal((await new AuditLog(path, { anchorKey: key }).verify()).ok, true);
  // An unsigned record after a signed one is not Airlock's, with or without a new anchor.
  await new AuditLog(path).append(event('unsigned'));
  const verdict = await new AuditLog(path, { anchorKey: key }).verify();
  assert.match(verdict.ok ? '' : verdict.problem, /record 3 was not written by Airlock/);
});

test('a log whose anchor went missing marks that in its chain on the next append', async () => {
  const path = file();
  const log = new AuditLog(path);
  await log.append(event('e1'));
  rmSync(`${path}.head`);
  const result = await new AuditLog(path).verify();
  assert.match(result.ok ? '' : result.problem, /no anchor/);
  await new AuditLog(path).append(event('e2'));
  const types = (await new AuditLog(path).read()).map((r) => r.type);
  assert.deepEqual(types, ['decision', 'audit.anchor_missing', 'decision']);
  assert.equal((await new AuditLog(path).verify()).ok, true);
});

test('readAfter reads on from where it stopped: only the bytes appended since, a half line left for later', async () => {
  const path = file();
  const log = new AuditLog(path);
  const reader = new AuditLog(path); // another process's view of the same file
  assert.deepEqual(await reader.readAfter(0), []);
  const a = await log.append(event('e1'));
  const b = await log.append(event('e2'));
  assert.deepEqual(await reader.readAfter(0), [a, b]);
  // Spoil the first record in place (same length): a reader that re-read the file would now fail
  // to parse it.
  writeFileSync(path, readFileSync(path, 'utf8').replace('"id":"e1"', '"id":"e1}'));
  const c = await log.append(event('e3'));
  assert.deepEqual(await reader.readAfter(b.seq), [c]);
  writeFileSync(path, '{"seq":', { flag: 'a' });
  assert.deepEqual(await reader.readAfter(c.seq), [], 'a line still being written waits');
  // Asked from elsewhere than where it stopped, it reads from the start.
  await assert.rejects(reader.readAfter(0), SyntaxError);
});
