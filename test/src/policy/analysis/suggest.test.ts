// `policy suggest`: on the fixture, the diff applies, `policy check` accepts the result, and
// replaying the history against it reproduces the claimed card count; on crafted histories, a
// tempting edit that would let a rejected request through is never suggested.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AuditEvent } from '../../../../src/audit/chain.ts';
import { bufferIo } from '../../../../src/cli/io.ts';
import { main } from '../../../../src/cli/main.ts';
import { analyze } from '../../../../src/policy/analysis/analyze.ts';
import { readLogFile } from '../../../../src/policy/analysis/records.ts';
import { replay } from '../../../../src/policy/analysis/replay.ts';
import { suggest, type SuggestResult } from '../../../../src/policy/analysis/suggest.ts';
import { formatSuggestions } from '../../../../src/policy/analysis/format.ts';
import { evaluate } from '../../../../src/policy/evaluate.ts';
import { loadPolicySet, readSources } from '../../../../src/policy/load.ts';
import { writeAuditLog } from '../../../../scripts/gen-audit-fixture.ts';

const policyFile = 'test/fixtures/analysis/policy.yaml';
const fixture = 'test/fixtures/analysis/audit.jsonl';
const window = { since: Date.parse('2026-10-02'), until: Date.parse('2026-11-01') };
let tmp = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'airlock-suggest-'));
});
after(() => rm(tmp, { recursive: true, force: true }));

async function suggestFor(log: string, policyPath = policyFile) {
  const policy = await loadPolicySet(policyPath);
  const { timelines } = await analyze(readLogFile(log, { window }), window, 'UTC');
  return { policy, timelines, result: suggest(timelines, policy, await readSources(policyPath)) };
}

test('on the fixture: the diff applies, policy check accepts it, and replay reproduces every claim', async () => {
  const { policy, timelines, result } = await suggestFor(fixture);
  assert.ok(result.suggestions.length >= 2, result.suggestions.map((s) => s.summary).join('\n'));
  for (const s of result.suggestions) {
    assert.equal(s.rejectedPassing, 0, s.summary);
    assert.equal(s.expiredPassing, 0, s.summary);
    assert.equal(s.deniedPassing, 0, s.summary);
    assert.ok(s.cardsAfter < s.cardsBefore, s.summary);
  }
  // Accept the diff the way a person would: git apply, then policy check.
  const copy = join(tmp, 'fixture', policyFile);
  await mkdir(dirname(copy), { recursive: true });
  await writeFile(copy, await readFile(policyFile, 'utf8'));
  await writeFile(join(tmp, 'fixture', 'suggest.diff'), result.diff);
  execFileSync('git', ['apply', 'suggest.diff'], { cwd: join(tmp, 'fixture') });
  const io = bufferIo();
  assert.equal(await main(['policy', 'check', copy], io), 0, io.err);
  assert.match(io.out, /^ok /);
  const edited = await loadPolicySet(copy);
  const replayed = replay(timelines, policy, edited);
  assert.equal(replayed.cards, result.combined.cards);
  assert.deepEqual(replayed.cardsByRule, result.combined.cardsByRule);
  assert.deepEqual(replayed.rejectedPassing, []);
  assert.ok(result.combined.cards < result.baseline.cards);
});

test('a threshold suggestion saves exactly the cards of the requests under it (counted from raw lines)', async () => {
  const { result } = await suggestFor(fixture);
  const s = result.suggestions.find((x) => x.kind === 'threshold' && x.rule === 'refunds-large');
  assert.ok(s && 'lt' in s.edit, 'a threshold on refund amounts is suggested');
  const { lt } = s.edit;
  let under = 0;
  let rejectedUnder = 0;
  const requested = new Map<string, number>();
  for (const line of readFileSync(fixture, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as AuditEvent;
    const amount = (r.detail?.['fields'] as { amount?: number } | undefined)?.amount;
    if (r.type === 'requested' && r.policyRule === 'refunds-large' && amount !== undefined)
      requested.set(r.workflowId ?? '', amount);
    const a = requested.get(r.workflowId ?? '');
    if (a === undefined || a >= lt) continue;
    if (r.type === 'cards-posted') under++;
    if (r.type === 'decision' && r.detail?.['choice'] === 'reject') rejectedUnder++;
  }
  assert.equal(rejectedUnder, 0);
  assert.equal(s.cardsBefore - s.cardsAfter, under);
});

/** Events of one refund request under the fixture policy, decided as told. */
function refund(
  n: number,
  at: number,
  amount: number,
  choice: 'approve' | 'reject' | 'none',
): AuditEvent[] {
  return request(n, at, 'support-bot', 'shop-api', '/refunds', { amount, currency: 'EUR' }, choice);
}

function payment(n: number, at: number, iban: string, choice: 'approve' | 'reject'): AuditEvent[] {
  return request(
    n,
    at,
    'billing-bot',
    'bank-api',
    '/payments',
    { amount: 1000, beneficiary: { iban, country: 'DE' } },
    choice,
  );
}

function request(
  n: number,
  at: number,
  agent: string,
  capability: string,
  path: string,
  body: Record<string, unknown>,
  choice: 'approve' | 'reject' | 'none',
  recordFields = true,
): AuditEvent[] {
  const workflowId = `action:t${n}`;
  const d = evaluate(policyOf, { agent, capability, method: 'POST', path, body }, new Date(at));
  const base = {
    workflowId,
    agent,
    capability,
    requestHash: 'h',
    policyRule: d.rule,
    policyHash: policyOf.hash,
  };
  const flat = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat))
    if (typeof v === 'object' && v)
      for (const [k2, v2] of Object.entries(v)) fields[`${k}.${k2}`] = v2;
    else fields[k] = v;
  const iso = (t: number) => new Date(t).toISOString();
  const ev: AuditEvent[] = [
    {
      id: `${workflowId}#1`,
      type: 'requested',
      at: iso(at),
      ...base,
      detail: {
        method: 'POST',
        path,
        decision: d.decision,
        reason: d.reason,
        ...(recordFields ? { fields } : {}),
      },
    },
    {
      id: `${workflowId}#2`,
      type: 'cards-posted',
      at: iso(at + 1000),
      ...base,
      detail: { cards: ['teams:channel'] },
    },
  ];
  if (choice === 'none')
    ev.push({ id: `${workflowId}#3`, type: 'expired', at: iso(at + 86_400_000), ...base });
  else {
    const approver = { platform: 'teams', userId: 'u1', aadObjectId: 'a1', displayName: 'Alice' };
    ev.push({
      id: `${workflowId}#3`,
      type: 'decision',
      at: iso(at + 60_000),
      ...base,
      approver,
      detail: { choice },
    });
    if (choice === 'approve')
      ev.push({ id: `${workflowId}#4`, type: 'executed', at: iso(at + 61_000), ...base });
  }
  return ev;
}

let policyOf: Awaited<ReturnType<typeof loadPolicySet>>;
before(async () => {
  policyOf = await loadPolicySet(policyFile);
});

async function history(name: string, events: AuditEvent[]): Promise<string> {
  const path = join(tmp, `${name}.jsonl`);
  events.sort((a, b) => a.at.localeCompare(b.at));
  await writeAuditLog(path, events);
  return path;
}

const day = Date.parse('2026-10-05T09:00:00Z');

test('a threshold stops below a rejected request: the tempting one that lets it through is never made', async () => {
  const events: AuditEvent[] = [];
  // 40 approved refunds from 51 to 98 EUR, and one rejected at 65 EUR in the middle of them.
  for (let i = 0; i < 40; i++)
    events.push(...refund(i, day + i * 3_600_000, 51 + i * 1.2, 'approve'));
  events.push(...refund(99, day + 2 * 86_400_000, 65, 'reject'));
  const { result } = await suggestFor(await history('tempting', events));
  const thresholds = result.suggestions.filter((s) => s.kind === 'threshold');
  assert.equal(thresholds.length, 1, result.suggestions.map((s) => s.summary).join('\n'));
  const s = thresholds[0];
  assert.ok(s && 'lt' in s.edit);
  assert.ok(s.edit.lt <= 65, `threshold ${s.edit.lt} stays at or below the rejected 65`);
  assert.equal(s.rejectedPassing, 0);
  // 51, 52.2, … 64.2 are under 65: 12 cards saved of 41.
  assert.equal(s.cardsBefore, 41);
  assert.equal(s.cardsAfter, 29);
  assert.match(s.summary, /rejected requests that would have passed: 0/);
});

test('an expired request bounds a threshold like a rejected one', async () => {
  const events: AuditEvent[] = [];
  for (let i = 0; i < 40; i++) events.push(...refund(i, day + i * 3_600_000, 51 + i, 'approve'));
  events.push(...refund(99, day + 2 * 86_400_000, 56, 'none'));
  const { result } = await suggestFor(await history('expired', events));
  // Only 5 approvals lie below 56: too little evidence for a threshold.
  assert.deepEqual(
    result.suggestions.filter((s) => s.kind === 'threshold'),
    [],
    result.suggestions.map((s) => s.summary).join('\n'),
  );
  assert.ok(result.suggestions.every((s) => s.expiredPassing === 0));
});

test('a grant is not offered when a rejection of the same payee falls inside it', async () => {
  const same: AuditEvent[] = [];
  const other: AuditEvent[] = [];
  for (let d = 0; d < 5; d++)
    for (let h = 0; h < 8; h++) {
      const at = day + d * 86_400_000 + h * 3_600_000;
      same.push(...payment(d * 10 + h, at, 'DE01', 'approve'));
      other.push(...payment(d * 10 + h, at, 'DE01', 'approve'));
    }
  // 30 minutes after the day's first approval of the same payee: every grant span would cover it.
  same.push(...payment(900, day + 3 * 86_400_000 + 0.5 * 3_600_000, 'DE01', 'reject'));
  other.push(...payment(900, day + 3 * 86_400_000 + 0.5 * 3_600_000, 'DE99', 'reject'));
  const refused = (await suggestFor(await history('grant-same', same))).result;
  assert.equal(
    refused.suggestions.filter((s) => s.kind === 'grant').length,
    0,
    refused.suggestions.map((s) => s.summary).join('\n'),
  );
  const offered = (await suggestFor(await history('grant-other', other))).result;
  const grant = offered.suggestions.find((s) => s.kind === 'grant');
  assert.ok(grant, 'the same history with the rejection on another payee gets a grant');
  assert.deepEqual(grant.edit, { maxDuration: '8h' });
  assert.equal(grant.rejectedPassing, 0);
  // Each day: the first payment asks, the grant covers the other 7 (one hour apart, 8-hour grant).
  assert.equal(grant.cardsAfter, 5 + 1);
  assertSameReplay(offered);
});

test('requests whose fields were not recorded keep their recorded cards and get no threshold', async () => {
  const events: AuditEvent[] = [];
  for (let i = 0; i < 40; i++)
    events.push(
      ...request(
        i,
        day + i * 3_600_000,
        'support-bot',
        'shop-api',
        '/refunds',
        { amount: 60 },
        'approve',
        false,
      ),
    );
  const { result } = await suggestFor(await history('nofields', events));
  assert.equal(result.baseline.unreplayable, 40);
  assert.equal(result.baseline.cards, 40);
  assert.deepEqual(result.suggestions, []);
});

test('a rejected request whose fields were not recorded holds the rule back: nobody can show an edit would not pass it', async () => {
  const events: AuditEvent[] = [];
  // The same 40 approvals that get a threshold above, and a rejected refund of 30 EUR whose body
  // the log did not keep: under "allow below N" it might well pass.
  for (let i = 0; i < 40; i++)
    events.push(...refund(i, day + i * 3_600_000, 51 + i * 1.2, 'approve'));
  events.push(
    ...request(
      99,
      day + 2 * 86_400_000,
      'support-bot',
      'shop-api',
      '/refunds',
      { amount: 30, currency: 'EUR' },
      'reject',
      false,
    ),
  );
  const { result } = await suggestFor(await history('unknown-rejection', events));
  assert.deepEqual(
    result.suggestions.filter((s) => s.kind === 'threshold'),
    [],
  );
  assert.equal(result.held.length, 1);
  assert.equal(result.held[0]?.unreplayableRefused, 1);
  assert.match(
    formatSuggestions(result),
    /1 refused requests on its capability cannot be replayed/,
  );
});

function assertSameReplay(r: SuggestResult): void {
  assert.equal(r.combined.rejectedPassing.length + r.combined.expiredPassing.length, 0);
}
