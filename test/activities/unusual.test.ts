// The history comparison activity against a real, hash-chained audit log with a crafted history:
// a number far from the agent's median, a first-time path and recipient, a burst of requests, the
// first request under a rule, nothing unusual (empty), too few samples (nothing), and the index
// reading on incrementally as the log grows. The log's `requested` events are written the way the
// workflow writes them (fields as decidePolicy keys them).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createUnusualActivities } from '../../activities/unusual.ts';
import { historyFields } from '../../src/actions/unusual/fields.ts';
import { AuditLog } from '../../src/audit/log.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';

const dir = mkdtempSync(join(tmpdir(), 'airlock-unusual-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse('2026-11-27T12:00:00Z');
const minutes = (n: number) => new Date(NOW - n * 60_000).toISOString();
let n = 0;

/** A fresh audit log and the activity over it. */
function setup() {
  const audit = new AuditLog(join(dir, `audit-${++n}.jsonl`));
  const activities = createUnusualActivities({ audit });
  const past = async (at: string, body: Record<string, unknown>, extra: Partial<Past> = {}) => {
    const workflowId = `action:past-${++n}`;
    await audit.append({
      id: `${workflowId}#1`,
      type: 'requested',
      at,
      workflowId,
      agent: extra.agent ?? 'support-bot',
      capability: 'refunds-api',
      requestHash: 'h',
      policyRule: extra.rule ?? 'refunds-large',
      policyHash: 'p',
      detail: {
        method: 'POST',
        path: extra.path ?? '/refunds',
        decision: 'approve',
        reason: 'r',
        fields: historyFields(body),
      },
    });
  };
  const compare = (body: Record<string, unknown>, extra: Partial<ActionRequest> = {}) =>
    activities.compareWithHistory({
      workflowId: 'action:now',
      rule: 'refunds-large',
      request: { ...request(body), ...extra },
      at: new Date(NOW).toISOString(),
    });
  return { audit, past, compare };
}
interface Past {
  agent: string;
  rule: string;
  path: string;
}
const request = (body: Record<string, unknown>): ActionRequest => ({
  agent: 'support-bot',
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body,
});
const usual = (i: number) => ({
  amount: 380 + i * 10,
  currency: 'EUR',
  recipient: i % 2 ? 'ACME GmbH' : 'Globex',
  order: `A-${i}`,
});

test('an amount far above the median is flagged with the ratio, the median and the currency', async () => {
  const { past, compare } = setup();
  for (let i = 0; i < 5; i++) await past(minutes(60 * 24 * (i + 1)), usual(i)); // median 400
  const findings = await compare({ ...usual(0), amount: 4800 });
  assert.deepEqual(findings, [
    {
      kind: 'ratio',
      field: 'amount',
      value: 4800,
      baseline: 400,
      text: "amount 4,800 EUR — 12× this agent's median (400 EUR)",
    },
  ]);
  const low = await compare({ ...usual(0), amount: 40 });
  assert.equal(low[0]?.text, "amount 40 EUR — 1/10 of this agent's median (400 EUR)");
});

test('a usual request gives no findings at all', async () => {
  const { past, compare } = setup();
  for (let i = 0; i < 8; i++) await past(minutes(60 * (i + 1)), usual(i));
  assert.deepEqual(await compare(usual(3)), []);
  // A free-text field (new every time) is never "new"; an order id is not an amount.
  assert.deepEqual(await compare({ ...usual(3), order: 'Z-999999', amount: 420 }), []);
});

test('too few earlier values: no ratio and no new value, however far off', async () => {
  const { past, compare } = setup();
  for (let i = 0; i < 4; i++) await past(minutes(60 * (i + 1)), usual(i));
  assert.deepEqual(await compare({ ...usual(0), amount: 100_000, recipient: 'Initech' }), []);
});

test('a first-time path and a first-time value of a usually repeated field are flagged', async () => {
  const { past, compare } = setup();
  for (let i = 0; i < 6; i++) await past(minutes(60 * (i + 1)), usual(i));
  const findings = await compare(
    { ...usual(1), recipient: 'Initech <!channel>' },
    { path: '/refunds/812/reverse' },
  );
  assert.deepEqual(
    findings.map((f) => [f.kind, f.field, f.text]),
    [
      [
        'new-path',
        'path',
        'first time this agent calls POST /refunds/812/reverse (6 earlier requests under this rule)',
      ],
      [
        'new-value',
        'recipient',
        'recipient “Initech <!channel>” — first time for this agent (2 other values in 6 requests)',
      ],
    ],
  );
  // Paths differing only in ids are one path.
  await past(minutes(5 * 60), usual(1), { path: '/refunds/813/reverse' });
  const again = await compare(usual(1), { path: '/refunds/812/reverse' });
  assert.deepEqual(again, []);
});

test('the third request within ten minutes is flagged; older ones do not count', async () => {
  const { past, compare } = setup();
  for (let i = 0; i < 3; i++) await past(minutes(60 * (i + 1)), usual(i));
  assert.deepEqual(await compare(usual(0)), []);
  await past(minutes(4), usual(1));
  assert.deepEqual(await compare(usual(0)), []);
  await past(minutes(2), usual(2));
  assert.deepEqual(await compare(usual(0)), [
    {
      kind: 'rate',
      field: null,
      value: 3,
      baseline: '10 minutes',
      text: '3rd request in 10 minutes',
    },
  ]);
});

test('the first request under a rule says so once; other agents, rules and old history do not count', async () => {
  const { past, compare } = setup();
  await past(minutes(60), usual(0), { agent: 'other-bot' });
  await past(minutes(60), usual(0), { rule: 'refunds-small' });
  await past(minutes(91 * 24 * 60), usual(0));
  assert.deepEqual(await compare({ ...usual(0), amount: 9999 }), [
    {
      kind: 'first-request',
      field: null,
      value: null,
      baseline: 0,
      text: 'first request by this agent under rule refunds-large in 90 days',
    },
  ]);
});

test("the run's own requested event is left out, and the index reads on as the log grows", async () => {
  const { audit, past, compare } = setup();
  await audit.append({
    id: 'action:now#1',
    type: 'requested',
    at: new Date(NOW).toISOString(),
    workflowId: 'action:now',
    agent: 'support-bot',
    policyRule: 'refunds-large',
    detail: { method: 'POST', path: '/refunds', fields: historyFields(usual(0)) },
  });
  assert.equal((await compare(usual(0)))[0]?.kind, 'first-request');
  for (let i = 0; i < 5; i++) await past(minutes(60 * (i + 1)), usual(i));
  assert.deepEqual(await compare({ ...usual(0), amount: 2000 }), [
    {
      kind: 'ratio',
      field: 'amount',
      value: 2000,
      baseline: 400,
      text: "amount 2,000 EUR — 5× this agent's median (400 EUR)",
    },
  ]);
  // A line half written by another process is left for the next read, not misread.
  const before = (await audit.read()).length;
  await appendFile(audit.path, '{"seq":');
  assert.equal((await audit.readAfter(before)).length, 0);
});
