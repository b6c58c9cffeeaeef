// `policy suggest --temporal`: requests whose audit records lack body fields get them from their
// run's history on the real Temporal dev server (started runs without a worker: the first event
// holds the request), and become replayable; a run that is gone is counted, not fatal.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AuditEvent } from '../../../../src/audit/chain.ts';
import { bufferIo } from '../../../../src/cli/io.ts';
import { main } from '../../../../src/cli/main.ts';
import { loadPolicySet } from '../../../../src/policy/load.ts';
import { evaluate } from '../../../../src/policy/evaluate.ts';
import { createClient } from '../../../../src/temporal/client.ts';
import { writeAuditLog } from '../../../../scripts/gen-audit-fixture.ts';
import { envFor, testConfig, terminateRuns } from '../../../helpers/temporal.ts';

const policyFile = 'test/fixtures/analysis/policy.yaml';
const config = testConfig();
const run = `${Date.now().toString(36)}`;
const ids: string[] = [];
let tmp = '';
let log = '';
let client: Awaited<ReturnType<typeof createClient>> | undefined;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'airlock-suggest-temporal-'));
  client = await createClient(config);
  const policy = await loadPolicySet(policyFile);
  const events: AuditEvent[] = [];
  const start = Date.parse('2026-10-05T09:00:00Z');
  for (let i = 0; i < 30; i++) {
    const workflowId = `action:analysis-${run}-${i}`;
    const request = {
      agent: 'support-bot',
      capability: 'shop-api',
      method: 'POST',
      path: '/refunds',
      body: { amount: 51 + i, currency: 'EUR' },
    };
    // No worker polls this task queue: the run waits, its history holding the request.
    await client.workflow.start('sensitiveActionWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ request }],
    });
    ids.push(workflowId);
    const at = start + i * 3_600_000;
    const d = evaluate(policy, request, new Date(at));
    const base = {
      workflowId,
      agent: request.agent,
      capability: request.capability,
      policyRule: d.rule,
      policyHash: policy.hash,
    };
    const iso = (t: number) => new Date(t).toISOString();
    // The audit records as the workflow writes them today: no detail.fields.
    events.push(
      {
        id: `${workflowId}#1`,
        type: 'requested',
        at: iso(at),
        ...base,
        detail: { method: 'POST', path: '/refunds', decision: d.decision, reason: d.reason },
      },
      {
        id: `${workflowId}#2`,
        type: 'cards-posted',
        at: iso(at + 1000),
        ...base,
        detail: { cards: ['teams:channel'] },
      },
      {
        id: `${workflowId}#3`,
        type: 'decision',
        at: iso(at + 30_000),
        ...base,
        approver: { platform: 'teams', userId: 'u', displayName: 'Alice' },
        detail: { choice: 'approve' },
      },
      { id: `${workflowId}#4`, type: 'executed', at: iso(at + 31_000), ...base },
    );
  }
  // One more whose run is gone (never started).
  events.push({
    id: 'action:gone#1',
    type: 'requested',
    at: '2026-10-07T09:00:00.000Z',
    workflowId: 'action:gone',
    agent: 'support-bot',
    capability: 'shop-api',
    policyRule: 'refunds-large',
    detail: { method: 'POST', path: '/refunds', decision: 'approve' },
  });
  log = join(tmp, 'audit.jsonl');
  await writeAuditLog(log, events);
});

after(async () => {
  await terminateRuns(client, ids);
  await client?.connection.close();
  await rm(tmp, { recursive: true, force: true });
});

async function suggestJson(extra: string[]) {
  const io = bufferIo();
  const args = [
    'policy',
    'suggest',
    '--audit',
    log,
    '--policy',
    policyFile,
    '--since',
    '2026-10-01',
    '--until',
    '2026-11-01',
    '--json',
    ...extra,
  ];
  const code = await main(args, io, envFor(config));
  assert.equal(code, 0, io.err);
  return {
    out: JSON.parse(io.out) as {
      baseline: { unreplayable: number; cards: number };
      suggestions: { kind: string; cardsAfter: number }[];
    },
    err: io.err,
  };
}

test('without --temporal the requests cannot be replayed and nothing is suggested', async () => {
  const { out } = await suggestJson([]);
  assert.equal(out.baseline.unreplayable, 31);
  assert.equal(out.baseline.cards, 30);
  assert.deepEqual(out.suggestions, []);
});

test('with --temporal the fields come from the run histories and a threshold is measured', async () => {
  const { out, err } = await suggestJson(['--temporal']);
  assert.match(err, /Body fields read from Temporal for 30 requests \(1 runs no longer there\)/);
  assert.equal(out.baseline.unreplayable, 1);
  const threshold = out.suggestions.find((s) => s.kind === 'threshold');
  assert.ok(threshold, JSON.stringify(out.suggestions));
  assert.ok(threshold.cardsAfter < 30);
});
