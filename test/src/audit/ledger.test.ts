// The execution ledger in both audit stores (the JSON-lines file, PostgreSQL in a private cluster):
// of several runs claiming the same request id at once, from stores opened separately (as workers
// on several hosts do), exactly one holds it and every other is told which run does; the holder's
// retry (a crashed attempt of the same run) finds its own claim; the claim is one audit record.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { anchorKey as deriveAnchorKey } from '../../../src/audit/anchor.ts';
import type { AuditStore } from '../../../src/audit/chain.ts';
import { claimExecution, claimId, type ClaimResult } from '../../../src/audit/ledger.ts';
import { AuditLog } from '../../../src/audit/log.ts';
import { PgAuditLog } from '../../../src/audit/pg-log.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.ts';
import { createStateDb, type StateDb } from '../../helpers/state-db.ts';
import { runCleanups } from '../../helpers/cleanup.ts';

const anchorKey = deriveAnchorKey({ AIRLOCK_PAYLOAD_KEY: randomBytes(32).toString('base64') });
let cluster: PostgresCluster | undefined;
let db: StateDb | undefined;
const opened: PgAuditLog[] = [];

before(async () => {
  cluster = await startPostgres();
  db = createStateDb(cluster);
});
after(async () => {
  await runCleanups([...opened.map((l) => () => l.close()), () => cluster?.stop()]);
});

const claim = (store: AuditStore, workflowId: string, runId: string) =>
  claimExecution(store, {
    workflowId,
    runId,
    agent: 'support-bot',
    capability: 'refunds-api',
    requestHash: 'abc',
    policyRule: 'refunds-large',
    policyHash: 'f00d',
  });

/** Eight runs race for one request id, each through its own store; then the winner retries. */
async function race(open: () => AuditStore): Promise<void> {
  const workflowId = `action:race-${randomBytes(4).toString('hex')}`;
  const runs = Array.from({ length: 8 }, (_, i) => `run-${i}`);
  const results = await Promise.all(runs.map((run) => claim(open(), workflowId, run)));
  const winners = runs.filter((_, i) => results[i]?.ok);
  assert.equal(winners.length, 1, 'exactly one run holds the request id');
  const winner = winners[0] as string;
  for (const r of results.filter((x): x is Extract<ClaimResult, { ok: false }> => !x.ok))
    assert.equal(r.heldBy, winner, 'every other run is told which run holds it');
  assert.deepEqual(await claim(open(), workflowId, winner), { ok: true }, 'its retry may send');
  const late = await claim(open(), workflowId, 'run-late');
  assert.equal(late.ok, false, 'a later run (a reset, a fresh start) may not');
  const records = (await open().read()).filter((r) => r.id === claimId(workflowId));
  assert.equal(records.length, 1);
  assert.equal(records[0]?.detail?.['runId'], winner);
}

test('the file store: one run of eight racing holds the request id, and only it may retry', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'airlock-ledger-')), 'audit.jsonl');
  await race(() => new AuditLog(path, { anchorKey }));
});

test('PostgreSQL: one run of eight racing holds the request id, and only it may retry', async () => {
  await race(() => {
    const log = new PgAuditLog({ url: (db as StateDb).appUrl, anchorKey });
    opened.push(log);
    return log;
  });
});

test('a claim by attempt (an MCP call: no idempotency key) is held by that attempt only: a retry of the same run may not send', async () => {
  const store = new AuditLog(join(mkdtempSync(join(tmpdir(), 'airlock-ledger-')), 'audit.jsonl'), {
    anchorKey,
  });
  const workflowId = `action:mcp-${randomBytes(4).toString('hex')}`;
  const byAttempt = (runId: string, attempt: string) =>
    claimExecution(store, {
      workflowId,
      runId,
      agent: 'notes-bot',
      capability: 'mcp:notes',
      requestHash: 'abc',
      policyRule: 'notes-write',
      policyHash: 'f00d',
      attempt,
    });
  assert.deepEqual(await byAttempt('run-1', 'a1'), { ok: true });
  assert.deepEqual(await byAttempt('run-1', 'a1'), { ok: true }, 'the same attempt finds its own');
  const retry = await byAttempt('run-1', 'a2');
  assert.equal(retry.ok, false);
  assert.equal(!retry.ok && retry.attempt, 'a1', 'a retry is told which attempt holds it');
  const reset = await byAttempt('run-2', 'a3');
  assert.equal(reset.ok, false);
  assert.equal(!reset.ok && reset.heldBy, 'run-1');
  assert.equal(!reset.ok && reset.attempt, undefined, 'another run is refused as a replay');
});
