// `policy analyze` on the committed fixture history, its numbers checked against values this test
// computes on its own from the raw JSON lines (not through the analysis code), and the fixture's
// own promises: thousands of requests, a valid hash chain, the generator reproducing it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bufferIo } from '../../../../src/cli/io.ts';
import { main } from '../../../../src/cli/main.ts';
import type { Analysis } from '../../../../src/policy/analysis/analyze.ts';
import { loadPolicySet } from '../../../../src/policy/load.ts';
import {
  fixtureDefaults,
  fixtureEvents,
  writeAuditLog,
} from '../../../../scripts/gen-audit-fixture.ts';

const dir = 'test/fixtures/analysis';
const log = `${dir}/audit.jsonl`;
const window = ['--since', '2026-10-02', '--until', '2026-11-01'];
const env = { AIRLOCK_DATA_DIR: '/nonexistent/airlock', AIRLOCK_POLICY_DIR: `${dir}/policy.yaml` };

interface Rec {
  type: string;
  at: string;
  workflowId?: string;
  policyRule?: string | null;
  approver?: { displayName: string };
  detail?: Record<string, unknown>;
}

/** The fixture's requests, grouped by hand from the raw lines. */
function independent() {
  const recs = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
  const byWf = new Map<string, Rec[]>();
  for (const r of recs) {
    if (!r.workflowId) continue;
    const list = byWf.get(r.workflowId) ?? [];
    list.push(r);
    byWf.set(r.workflowId, list);
  }
  return { recs, byWf };
}

async function analyzeJson(): Promise<Analysis> {
  const io = bufferIo();
  const code = await main(
    ['policy', 'analyze', '--audit', log, '--policy', `${dir}/policy.yaml`, '--json', ...window],
    io,
    env,
  );
  assert.equal(code, 0, io.err);
  return JSON.parse(io.out) as Analysis;
}

test('the fixture holds thousands of requests over 30 days, several agents and rules, with rejections and expiries', () => {
  const { recs, byWf } = independent();
  assert.ok(byWf.size >= 2000, `${byWf.size} requests`);
  const types = new Set(recs.map((r) => r.type));
  for (const t of [
    'requested',
    'denied',
    'allowed',
    'cards-posted',
    'decision',
    'expired',
    'executed',
    'granted',
  ])
    assert.ok(types.has(t), `has ${t} records`);
  assert.ok(recs.some((r) => r.type === 'decision' && r.detail?.['choice'] === 'reject'));
  const days = new Set(recs.map((r) => r.at.slice(0, 10)));
  assert.ok(days.size >= 30, `${days.size} days`);
});

test('analyze counts requests, outcomes, cards and decision times as computed independently', async () => {
  const a = await analyzeJson();
  const { byWf } = independent();
  const rule = 'refunds-large';
  let requests = 0;
  let cards = 0;
  let approved = 0;
  let rejected = 0;
  let expired = 0;
  const times: number[] = [];
  for (const list of byWf.values()) {
    if (list[0]?.type !== 'requested' || list[0].policyRule !== rule) continue;
    requests++;
    const posted = list.find((r) => r.type === 'cards-posted');
    if (posted) cards++;
    const decision = list.find((r) => r.type === 'decision');
    if (decision?.detail?.['choice'] === 'reject') rejected++;
    if (list.some((r) => r.type === 'expired')) expired++;
    if (decision?.detail?.['choice'] === 'approve' && list.some((r) => r.type === 'executed')) {
      approved++;
      times.push((Date.parse(decision.at) - Date.parse(posted?.at ?? '')) / 1000);
    } else if (decision)
      times.push((Date.parse(decision.at) - Date.parse(posted?.at ?? '')) / 1000);
  }
  times.sort((x, y) => x - y);
  const stats = a.byRule.find((s) => s.key === rule);
  assert.ok(stats);
  assert.equal(stats.requests, requests);
  assert.equal(stats.cards, cards);
  assert.equal(stats.outcomes.approved, approved);
  assert.equal(stats.outcomes.rejected, rejected);
  assert.equal(stats.outcomes.expired, expired);
  assert.equal(stats.medianDecisionSeconds, times[Math.ceil(times.length / 2) - 1]);
  assert.equal(stats.p90DecisionSeconds, times[Math.ceil(times.length * 0.9) - 1]);
  assert.equal(a.requests, byWf.size);
  // The rule that costs the most attention comes first.
  assert.deepEqual(
    a.byRule.map((s) => s.cards),
    [...a.byRule.map((s) => s.cards)].sort((x, y) => y - x),
  );
});

test('analyze flags the rubber-stamper, the dominant approver and the odd-hour release train', async () => {
  const a = await analyzeJson();
  const { byWf } = independent();
  // Fast decisions on refunds-large: under the reading time of a 3-field card (30 + 3×3 words at
  // 200 words a minute = 11.7 s), counted by hand.
  let fast = 0;
  let alice = 0;
  let decisions = 0;
  for (const list of byWf.values()) {
    if (list[0]?.policyRule !== 'refunds-large') continue;
    const posted = list.find((r) => r.type === 'cards-posted');
    for (const d of list.filter((r) => r.type === 'decision')) {
      decisions++;
      if (d.approver?.displayName === 'Alice Approver') alice++;
      if ((Date.parse(d.at) - Date.parse(posted?.at ?? '')) / 1000 < 11.7) fast++;
    }
  }
  const refunds = a.signals.find((s) => s.rule === 'refunds-large');
  assert.ok(refunds);
  assert.equal(refunds.decisions, decisions);
  assert.equal(refunds.fast, fast);
  assert.ok(alice / decisions > 0.8, 'the fixture makes Alice decide most refunds');
  assert.deepEqual(refunds.dominant, {
    name: 'Alice Approver',
    decisions: alice,
    share: alice / decisions,
  });
  assert.ok(refunds.fastApprovers.some((p) => p.name === 'Alice Approver'));
  const deploys = a.signals.find((s) => s.rule === 'deploys-production');
  assert.ok(deploys && deploys.bursts.length >= 10, 'nightly release trains are bursts');
  assert.ok(deploys.bursts.every((b) => b.name === 'Frank Ops' && b.approvals >= 5));
  assert.equal(a.signals.find((s) => s.rule === 'payments')?.bursts.length, 0);
});

test('the table names the thresholds, and --chart writes a self-contained SVG of cards per day', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-analyze-'));
  try {
    const io = bufferIo();
    const chart = join(tmp, 'cards.svg');
    const code = await main(
      [
        'policy',
        'analyze',
        '--audit',
        log,
        '--policy',
        `${dir}/policy.yaml`,
        '--chart',
        chart,
        ...window,
      ],
      io,
      env,
    );
    assert.equal(code, 0, io.err);
    assert.match(io.out, /^ {2}rule +requests +cards/m);
    assert.match(io.out, /reading 200 words\/min/);
    assert.match(io.out, /office hours 7:00–20:00 Europe\/Berlin/);
    const svg = await readFile(chart, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /<script|href=/);
    assert.equal((svg.match(/<polyline/g) ?? []).length, 4, 'one line per rule that showed cards');
    assert.match(svg, /refunds-large \(\d+\)/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('the generator reproduces the committed fixture byte for byte, and audit verify accepts it', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-fixture-'));
  try {
    const out = join(tmp, 'audit.jsonl');
    const policy = await loadPolicySet(`${dir}/policy.yaml`);
    await writeAuditLog(out, fixtureEvents(policy, fixtureDefaults));
    assert.equal(await readFile(out, 'utf8'), await readFile(log, 'utf8'));
    const io = bufferIo();
    // The fixture's head anchor is unsigned: verify it without an installation key.
    const code = await main(['audit', 'verify'], io, {
      AIRLOCK_AUDIT_FILE: log,
      AIRLOCK_DATA_DIR: tmp,
    });
    assert.equal(code, 0, io.err);
    assert.match(io.out, /audit log OK: \d+ records/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
