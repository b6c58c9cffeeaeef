// Many approvals pending at once: time to create N pending requests (each with its card posted),
// worker and Temporal server memory, and click-to-execution latency with N pending compared with
// 10 pending, in one run against the real dev server. Cards go to a recording sender here (the
// Playground is not the thing measured). Usage: node bench/pending-scale.ts 1000 10000
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { requestAction } from '../src/actions/request.ts';
import { approvalDecisionSignal, statusQuery } from '../workflows/sensitive-action/messages.ts';
import { actionFixture, click, people } from '../test/helpers/actions.ts';
import { machine, ms, percentile } from './stats.ts';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const rssMiB = (pid: number | string) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const serverPid = readFileSync(
  `${process.env.AIRLOCK_DATA_DIR ?? '.data'}/temporal.pid`,
  'utf8',
).trim();

const fx = await actionFixture((yaml) => yaml.replace('after: 3d', 'after: 30d'));
const worker = await fx.startWorker();
const rows: string[] = [];

async function fill(n: number): Promise<{ ids: string[]; seconds: number }> {
  const t0 = performance.now();
  const ids: string[] = [];
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    const started = await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        requestAction(fx.client, fx.config, {
          agent: 'support-bot',
          capability: 'refunds-api',
          method: 'POST',
          path: '/refunds',
          body: { amount: 99, order: randomUUID() },
        }),
      ),
    );
    ids.push(...started.map((s) => s.workflowId));
  }
  // Pending means its card was posted.
  while (fx.cards.posted.length < ids.length + done) await new Promise((r) => setTimeout(r, 100));
  return { ids, seconds: (performance.now() - t0) / 1000 };
}
let done = 0;

async function clickLatency(ids: string[], samples: number): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids.slice(0, samples)) {
    const handle = fx.client.workflow.getHandle(id);
    const hash = (await handle.query(statusQuery)).requestHash;
    const before = fx.api.refunds.length;
    const t0 = Date.now();
    await handle.signal(approvalDecisionSignal, click(people.bob, 'approve', hash));
    while (fx.api.refunds.length === before) await new Promise((r) => setTimeout(r, 1));
    out.push(Date.parse(fx.api.refunds.at(-1)?.at ?? '') - t0);
  }
  return out;
}

for (const n of [10, ...sizes]) {
  const { ids, seconds } = await fill(n);
  done += n;
  const latency = await clickLatency(ids, Math.min(20, n));
  rows.push(
    `| ${n.toLocaleString('en')} | ${seconds.toFixed(1)} s | ${rssMiB(process.pid).toFixed(0)} MiB | ${rssMiB(serverPid).toFixed(0)} MiB | ${ms(percentile(latency, 50))} | ${ms(percentile(latency, 90))} |`,
  );
  await Promise.all(
    ids.slice(20).map((id) =>
      fx.client.workflow
        .getHandle(id)
        .terminate('bench done')
        .catch(() => undefined),
    ),
  );
}

console.log(`### Approvals pending at once\n\nMachine: ${machine()}\n`);
console.log(
  '| pending | time to create (cards posted) | worker process RSS | Temporal server RSS | click→execution p50 | p90 |\n| --- | --- | --- | --- | --- | --- |',
);
for (const r of rows) console.log(r);
await worker.stop();
await fx.close();
process.exit(0);
