// The audit log's group commit: appends that wait while a batch is written go together in the next
// one (one lock, one write, one anchor), in the order they were called, each resolving with its own
// record; a process killed halfway leaves a chain that verifies, and retrying every append (as the
// activities do) stores each event exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditLog, type AuditEvent } from '../../../src/audit/log.ts';
import { repoRoot } from '../../helpers/temporal.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'airlock-audit-gc-')), 'audit.jsonl');
const key = Buffer.alloc(32, 7);
const event = (id: string): AuditEvent => ({
  id,
  type: 'requested',
  at: '2026-11-27T10:00:00.000Z',
  workflowId: `action:${id}`,
});

test('appends made in the same tick go in one commit (the MCP fast path appends three at once)', async () => {
  const log = new AuditLog(file(), { anchorKey: key });
  const records = await Promise.all([
    log.append(event('a')),
    log.append(event('b')),
    log.append(event('c')),
  ]);
  assert.deepEqual(
    records.map((r) => [r.id, r.seq]),
    [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ],
  );
  assert.equal(log.commits, 1);
});

test('200 concurrent appends share a few commits, keep call order, and each gets its record', async () => {
  const log = new AuditLog(file(), { anchorKey: key });
  const ids = Array.from({ length: 200 }, (_, i) => `e${i}`);
  const records = await Promise.all(ids.map((id) => log.append(event(id))));
  assert.deepEqual(
    records.map((r) => r.id),
    ids,
  );
  assert.deepEqual(
    records.map((r) => r.seq),
    ids.map((_, i) => i + 1),
  );
  assert.ok(log.commits < 10, `200 appends took ${log.commits} commits`);
  const verified = await log.verify();
  assert.deepEqual(verified, { ok: true, count: 200, head: records.at(-1)?.hash });
  // Duplicates in one batch and ids already stored resolve to the stored record, once.
  const again = await Promise.all([
    log.append(event('e3')),
    log.append(event('new')),
    log.append(event('new')),
  ]);
  assert.deepEqual(again[0], records[3]);
  assert.deepEqual(again[1], again[2]);
  assert.equal((await log.read()).length, 201);
});

test('a batch that cannot be written fails each of its appends; the next batch goes on', async () => {
  const path = file();
  const log = new AuditLog(path, { anchorKey: key });
  await log.append(event('first'));
  // An anchor that is not ours: the log refuses to grow (audit_tampered) for the whole batch.
  const anchor = readFileSync(`${path}.head`, 'utf8');
  writeFileSync(`${path}.head`, JSON.stringify({ seq: 1, hash: 'f'.repeat(64), mac: '00' }));
  const failed = await Promise.allSettled([log.append(event('a')), log.append(event('b'))]);
  assert.deepEqual(
    failed.map((f) => f.status === 'rejected' && (f.reason as { code?: string }).code),
    ['audit_tampered', 'audit_tampered'],
  );
  writeFileSync(`${path}.head`, anchor);
  const [a, b] = await Promise.all([log.append(event('a')), log.append(event('b'))]);
  assert.deepEqual([a.seq, b.seq], [2, 3]);
  assert.equal((await log.verify()).ok, true);
});

test('a writer killed halfway leaves a verifying chain; retried appends land exactly once', async () => {
  const path = file();
  const n = 20_000;
  // The anchor exists before the writer starts, as in any log that has been used.
  await new AuditLog(path, { anchorKey: key }).append(event('before'));
  const writer = `
    import { AuditLog } from ${JSON.stringify(join(repoRoot, 'src/audit/log.ts'))};
    const log = new AuditLog(${JSON.stringify(path)}, { anchorKey: Buffer.alloc(32, 7) });
    const at = '2026-11-27T10:00:00.000Z';
    let done = 0;
    for (let i = 0; i < ${n}; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) =>
        log.append({ id: 'k' + (i + j), type: 'requested', at, workflowId: 'action:k' + (i + j) })
          .then(() => { if (++done === 300) process.stdout.write('halfway\\n'); })));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', writer], { cwd: repoRoot });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the writer never got going')), 30_000);
      child.stdout.on('data', () => {
        clearTimeout(timer);
        resolve();
      });
      child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before the kill`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  } finally {
    child.kill('SIGKILL');
  }
  const log = new AuditLog(path, { anchorKey: key });
  const cut = await log.verify();
  assert.equal(cut.ok, true, JSON.stringify(cut));
  assert.ok(cut.count > 300 && cut.count < n + 1, `killed halfway: ${cut.count} records`);
  // What the activities do after a crash: append everything again; stored ids are not repeated.
  const ids = Array.from({ length: n }, (_, i) => `k${i}`);
  await Promise.all(ids.map((id) => log.append(event(id))));
  const records = await log.read();
  assert.equal(records.length, n + 1);
  assert.equal(new Set(records.map((r) => r.id)).size, n + 1);
  assert.deepEqual(await log.verify(), { ok: true, count: n + 1, head: records.at(-1)?.hash });
});
