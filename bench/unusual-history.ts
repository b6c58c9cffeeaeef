// Benchmark: one history comparison (compareWithHistory) against an audit log of N records (default
// 100,000: 10 agents, 5 rules, a fifth of them `requested`), cold (the worker's first lookup reads
// the whole log), warm (nothing new), and after each new append (reads only the new bytes); the
// baseline is the naive way, reading and parsing the whole log per lookup, in the same run.
// Prints a markdown table. Run: node --expose-gc bench/unusual-history.ts [records]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUnusualActivities } from '../activities/unusual.ts';
import { compareRequest } from '../src/actions/unusual/compare.ts';
import { historyFields } from '../src/actions/unusual/fields.ts';
import { chainRecord, GENESIS, type AuditEvent } from '../src/audit/chain.ts';
import { AuditLog } from '../src/audit/log.ts';
import { HISTORY_WINDOW_MS, type RequestSample } from '../src/audit/request-history.ts';
import type { ActionRequest } from '../workflows/sensitive-action/request.ts';
import { machine, percentile, timeMs } from './stats.ts';

const total = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-unusual-'));
const path = join(dir, 'audit.jsonl');
const now = Date.now();
const types = ['requested', 'cards-posted', 'decision', 'executed', 'reminder'];

const body = (i: number) => ({
  amount: 100 + (i % 700),
  currency: 'EUR',
  recipient: `vendor-${i % 7}`,
  order: `A-${i}`,
});
const event = (i: number): AuditEvent => {
  const type = types[i % types.length] as string;
  const workflowId = `action:bench-${Math.floor(i / types.length)}`;
  return {
    id: `${workflowId}#${(i % types.length) + 1}`,
    type,
    at: new Date(now - (total - i) * 60_000).toISOString(), // one a minute, oldest first
    workflowId,
    agent: `bot-${Math.floor(i / types.length) % 10}`,
    capability: 'payments',
    requestHash: 'h'.repeat(64),
    policyRule: `rule-${Math.floor(i / types.length / 10) % 5}`,
    policyHash: 'p'.repeat(64),
    detail:
      type === 'requested'
        ? {
            method: 'POST',
            path: '/payments',
            decision: 'approve',
            reason: 'r',
            fields: historyFields(body(i)),
          }
        : { cards: ['teams:channel'] },
  };
};

const lines: string[] = [];
let prev = { seq: 0, head: GENESIS };
for (let i = 0; i < total; i++) {
  const record = chainRecord(event(i), prev);
  prev = { seq: record.seq, head: record.hash };
  lines.push(JSON.stringify(record));
}
writeFileSync(path, `${lines.join('\n')}\n`);
const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
lines.length = 0;

const audit = new AuditLog(path);
const activities = createUnusualActivities({ audit });
const request: ActionRequest = {
  agent: 'bot-3',
  capability: 'payments',
  method: 'POST',
  path: '/payments',
  body: { ...body(1), amount: 9000 },
};
const input = () => ({
  workflowId: 'action:bench-now',
  rule: 'rule-1',
  request,
  at: new Date().toISOString(),
});
const time = timeMs;

// With --expose-gc the heap the index holds is measured after a collection.
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
gc();
const heap = process.memoryUsage().heapUsed;
const cold = await time(() => activities.compareWithHistory(input()));
gc();
const heapAfter = process.memoryUsage().heapUsed;
const found = await activities.compareWithHistory(input());
const warm: number[] = [];
for (let i = 0; i < 200; i++) warm.push(await time(() => activities.compareWithHistory(input())));
const grown: number[] = [];
for (let i = 0; i < 50; i++) {
  await audit.append({ ...event(total + i), id: `bench-new-${i}`, at: new Date().toISOString() });
  grown.push(await time(() => activities.compareWithHistory(input())));
}
// The naive way: read and parse the whole log per lookup.
const naive: number[] = [];
for (let i = 0; i < 5; i++)
  naive.push(
    await time(async () => {
      const since = Date.now() - HISTORY_WINDOW_MS;
      const earlier: RequestSample[] = (await audit.read())
        .filter(
          (r) =>
            r.type === 'requested' &&
            r.agent === 'bot-3' &&
            r.policyRule === 'rule-1' &&
            Date.parse(r.at) >= since,
        )
        .map((r) => ({
          workflowId: r.workflowId ?? '',
          at: Date.parse(r.at),
          method: 'POST',
          path: '/payments',
          fields: (r.detail?.['fields'] ?? {}) as Record<string, number | string>,
        }));
      return compareRequest(request, 'rule-1', earlier, Date.now());
    }),
  );
rmSync(dir, { recursive: true, force: true });

const ms = (v: number) => `${v.toFixed(2)} ms`;
const row = (name: string, xs: number[]) =>
  `| ${name} | ${xs.length} | ${ms(percentile(xs, 50))} | ${ms(percentile(xs, 99))} | ${ms(Math.max(...xs))} |`;
console.log(
  `### History comparison over ${total.toLocaleString('en-US')} audit records (${(bytes / 1e6).toFixed(1)} MB file; \`node --expose-gc bench/unusual-history.ts ${total}\`)\n`,
);
console.log(`Machine: ${machine()}.\n`);
console.log('| lookup | n | p50 | p99 | max |');
console.log('| --- | --- | --- | --- | --- |');
console.log(
  `| cold: the worker's first lookup (reads and indexes the whole log) | 1 | ${ms(cold)} | — | — |`,
);
console.log(row('warm: nothing appended since', warm));
console.log(row('after one new append (reads only the new bytes)', grown));
console.log(row('baseline: read and parse the whole log per lookup', naive));
console.log(
  `\nFindings of the measured lookup: ${found.map((f) => f.text).join('; ') || '(none)'}. Heap held by the index after the cold read: ${((heapAfter - heap) / 1e6).toFixed(1)} MB (run with --expose-gc for a figure after collection).`,
);
