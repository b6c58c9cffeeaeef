// Many approvals pending at once, in one run against the Temporal the environment names
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE): creation throughput (requests started with bounded
// concurrency until every card is posted), click→execution p50/p99 with 10 pending and with N
// pending (same way, --clicks samples each, the pending count held by creating one per click),
// worker RSS, Temporal server RSS (process trees of --server-pids, default the dev server's pid
// file), database size (--pg-url: the Temporal databases; else the dev server's SQLite file), and
// where creation time goes (sampled workflow histories). Everything it started is terminated.
// Cards go to a recording sender (the Playground is not what is measured).
// Usage: node bench/pending-scale.ts N [--concurrency 200] [--clicks 50] [--server-pids 1,2]
//        [--pg-url postgres://…] [--samples 20]
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requestAction } from '../src/actions/request.ts';
import { loadConfig } from '../src/config.ts';
import { approvalDecisionSignal, statusQuery } from '../workflows/sensitive-action/messages.ts';
import { actionFixture, click, people, signed } from '../test/helpers/actions.ts';
import { creationStages, stageTable } from './creation-stages.ts';
import {
  devServerDbFile,
  pgTemporalSizes,
  rssMiB,
  sqliteMiB,
  treeCpuSeconds,
  treeRssMiB,
} from './host-measure.ts';
import { machine, ms, percentile } from './stats.ts';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string', default: '200' },
    clicks: { type: 'string', default: '50' },
    samples: { type: 'string', default: '20' },
    'server-pids': { type: 'string' },
    'pg-url': { type: 'string' },
  },
});
const n = Number(positionals[0] ?? 1000);
const concurrency = Number(opt.concurrency);
const clicks = Number(opt.clicks);
const env = loadConfig();
const serverPids = (
  opt['server-pids'] ?? readFileSync(join(env.AIRLOCK_DATA_DIR, 'temporal.pid'), 'utf8').trim()
)
  .split(',')
  .map(Number);
const prefix = `bench-pending-${randomBytes(4).toString('hex')}`;

const fx = await actionFixture((yaml) => yaml.replace('after: 3d', 'after: 30d'));
const worker = await fx.startWorker();
const pending: string[] = []; // workflow ids whose card is posted and that nobody decided yet
const everything: string[] = [];
let created = 0;

const refund = () => ({
  agent: 'support-bot',
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { amount: 99, order: randomUUID() },
});

// Start `count` requests, at most `concurrency` in flight; resolves when every card is posted.
async function create(count: number): Promise<{ seconds: number; startSeconds: number }> {
  const t0 = performance.now();
  const want = fx.cards.posted.length + count;
  const ids: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      const { workflowId } = await requestAction(
        fx.client,
        fx.config,
        refund(),
        `${prefix}-${++created}`,
      );
      ids.push(workflowId);
      everything.push(workflowId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const startSeconds = (performance.now() - t0) / 1000;
  while (fx.cards.posted.length < want) await new Promise((r) => setTimeout(r, 20));
  pending.push(...ids);
  return { seconds: (performance.now() - t0) / 1000, startSeconds };
}

// Approve pending requests one by one, creating one new request after each so the pending count
// stays where it was; click → the refunds API receives the request.
async function clickLatency(samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const id = pending.shift() as string;
    const handle = fx.client.workflow.getHandle(id);
    const hash = (await handle.query(statusQuery)).requestHash;
    const before = fx.api.refunds.length;
    const t0 = performance.now();
    await handle.signal(approvalDecisionSignal, signed(id, click(people.bob, 'approve', hash)));
    while (fx.api.refunds.length === before) await new Promise((r) => setTimeout(r, 1));
    out.push(performance.now() - t0);
    await create(1);
  }
  return out;
}

async function terminateAll(): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < everything.length) {
      const id = everything[next++] as string;
      await fx.client.workflow
        .getHandle(id)
        .terminate('bench done')
        .catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 50 }, lane));
}

async function dbSize(): Promise<string> {
  if (opt['pg-url']) {
    const sizes = await pgTemporalSizes(opt['pg-url']);
    return Object.entries(sizes)
      .map(([db, mib]) => `${db} ${mib.toFixed(0)} MiB`)
      .join(', ');
  }
  const file = serverPids[0] === undefined ? undefined : devServerDbFile(serverPids[0]);
  return file ? `SQLite ${sqliteMiB(file).toFixed(0)} MiB` : 'in memory';
}

try {
  const dbBefore = await dbSize();
  await create(10);
  const small = await clickLatency(clicks);
  const smallMem = { worker: rssMiB(process.pid), server: treeRssMiB(serverPids) };
  const cpu0 = { worker: process.cpuUsage(), server: treeCpuSeconds(serverPids) };
  const fill = await create(n - pending.length);
  const workerCpu = process.cpuUsage(cpu0.worker);
  const cpu = {
    worker: (workerCpu.user + workerCpu.system) / 1e6,
    server: treeCpuSeconds(serverPids) - cpu0.server,
  };
  const big = await clickLatency(clicks);
  const sampled = await Promise.all(
    Array.from({ length: Number(opt.samples) }, (_, i) =>
      creationStages(
        fx.client.workflow.getHandle(
          everything[Math.floor(((i + 0.5) * n) / Number(opt.samples)) + 10] as string,
        ),
      ),
    ),
  );
  const bigMem = { worker: rssMiB(process.pid), server: treeRssMiB(serverPids) };
  const dbAfter = await dbSize();
  const p = (v: number[], q: number) => ms(percentile(v, q));
  console.log(`### Approvals pending at once: ${n.toLocaleString('en')}\n`);
  console.log(
    `Machine: ${machine()}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at the end. Temporal ${env.TEMPORAL_ADDRESS}; start concurrency ${concurrency}; ${clicks} clicks per level.\n`,
  );
  console.log(
    `Creation: ${(n - 10).toLocaleString('en')} requests in ${fill.seconds.toFixed(1)} s until every card was posted (${((n - 10) / fill.seconds).toFixed(1)} requests/s); all starts accepted after ${fill.startSeconds.toFixed(1)} s. CPU per request: worker (bench process) ${((1000 * cpu.worker) / (n - 10)).toFixed(1)} ms, Temporal server ${((1000 * cpu.server) / (n - 10)).toFixed(1)} ms.\n`,
  );
  console.log(
    '| pending | click→execution p50 | p99 | worker RSS (bench process) | Temporal server RSS | database |\n| --- | --- | --- | --- | --- | --- |',
  );
  console.log(
    `| 10 | ${p(small, 50)} | ${p(small, 99)} | ${smallMem.worker.toFixed(0)} MiB | ${smallMem.server.toFixed(0)} MiB | ${dbBefore} (before the run) |`,
  );
  console.log(
    `| ${n.toLocaleString('en')} | ${p(big, 50)} | ${p(big, 99)} | ${bigMem.worker.toFixed(0)} MiB | ${bigMem.server.toFixed(0)} MiB | ${dbAfter} |`,
  );
  console.log(
    `\nRatio at ${n.toLocaleString('en')} vs 10 pending: p50 ${(percentile(big, 50) / percentile(small, 50)).toFixed(2)}×, p99 ${(percentile(big, 99) / percentile(small, 99)).toFixed(2)}×.\n`,
  );
  console.log(stageTable(sampled));
} finally {
  await terminateAll();
  await worker.stop();
  await fx.close();
}
process.exit(0);
