// Many agent sessions on one host (issue 10): N sessions (default 20) of one agent, each with its
// gateway in this process and its box running. Measured: each box's memory (Docker's stats: usage
// minus inactive page cache) idle (runner ready, waiting on its inbox long-poll) and active (mid-
// turn: the model asked for a shell command, `sleep`, that is running); the latency of a turn
// when all N sessions take one at once (several rounds); and this process's RSS and heap before
// and after opening the N gateways. Run it with `node --expose-gc` for steadier heap numbers.
// Usage: node --expose-gc bench/agent-scale.ts [sessions=20] [rounds=5]
import { setTimeout as sleep } from 'node:timers/promises';
import { agentBench, boxMemoryMiB, machine, ms, percentile, REPLY } from './agent-setup.ts';

const count = Number(process.argv[2] ?? 20);
const rounds = Number(process.argv[3] ?? 5);
const startConcurrency = 4; // boxes started at once (2 cores shared with other work)
const activeSleepSec = 6;

const bench = await agentBench([
  {
    name: 'work',
    reusable: true,
    afterUser: 'work',
    toolCalls: [{ id: 'w1', name: 'shell', arguments: { command: `sleep ${activeSleepSec}` } }],
  },
  { name: 'work-done', reusable: true, afterToolResult: 'w1', text: REPLY },
  { name: 'reply', reusable: true, afterUser: 'hello', text: REPLY },
]);
const stop = () => void bench.close().finally(() => process.exit(130));
process.once('SIGINT', stop).once('SIGTERM', stop);

const gc = (globalThis as { gc?: () => void }).gc;
const host = async () => {
  // Collect twice with a pause, so memory freed by the collector is returned before RSS is read.
  gc?.();
  await sleep(500);
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 };
};
const mib = (v: number) => `${v.toFixed(1)} MiB`;
const spread = (v: number[]) =>
  `${mib(percentile(v, 50))} | ${mib(Math.min(...v))} | ${mib(Math.max(...v))} | ${mib(v.reduce((a, b) => a + b, 0))}`;

try {
  // The first session warms the code paths (modules, the vault, Docker's client); the host's
  // memory is measured from there, so the difference is what the other sessions cost.
  const first = await bench.open('scale-0');
  await bench.turn(first.session, 'hello');
  await sleep(1_000);
  const before = await host();
  const sessions = [first];
  const ids = Array.from({ length: count - 1 }, (_, i) => `scale-${i + 1}`);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += startConcurrency) {
    const batch = await Promise.all(
      ids.slice(i, i + startConcurrency).map(async (id) => {
        const opened = await bench.open(id);
        await bench.turn(opened.session, 'hello'); // the runner is up
        return opened;
      }),
    );
    sessions.push(...batch);
  }
  const startAll = performance.now() - started;
  await sleep(3_000); // let the runners settle after their first turn
  const after = await host();
  const idle = await Promise.all(sessions.map((s) => boxMemoryMiB(bench, s.containerId)));

  // All N take a turn at once; each turn's time runs from the common start to its own done.
  const latencies: number[] = [];
  const roundWall: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const start = performance.now();
    const times = await Promise.all(
      sessions.map(async (s) => {
        await bench.turn(s.session, `hello ${r}`);
        return performance.now() - start;
      }),
    );
    if (r === 0) continue; // warm-up round
    latencies.push(...times);
    roundWall.push(Math.max(...times));
  }

  // Active: every box mid-turn, its runner waiting on a shell command the model asked for.
  const working = Promise.all(sessions.map((s) => bench.turn(s.session, 'work please')));
  await sleep(2_500);
  const active = await Promise.all(sessions.map((s) => boxMemoryMiB(bench, s.containerId)));
  await working;

  console.log(
    `### ${count} agent sessions on one host (${rounds} rounds of ${count} concurrent turns, 1 warm-up round)\n\nMachine: ${machine()}\n`,
  );
  console.log('| box memory (usage − inactive file cache) | p50 per box | min | max | all boxes |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| idle (runner ready, long-polling its inbox) | ${spread(idle)} |`);
  console.log(`| active (mid-turn, a \`sleep\` shell command running) | ${spread(active)} |`);
  console.log(
    '\n| turn latency, all sessions at once | p50 | p99 | max | round (slowest turn) p50 |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  console.log(
    `| ${count} concurrent one-step turns (${latencies.length} turns) | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${ms(Math.max(...latencies))} | ${ms(percentile(roundWall, 50))} |`,
  );
  console.log(
    `\nHost process (gateways, registry, dockerode; ${gc ? 'after gc' : 'no --expose-gc'}): RSS ${mib(before.rss)} → ${mib(after.rss)} with 1 → ${count} sessions open (+${mib(after.rss - before.rss)}, ${mib((after.rss - before.rss) / (count - 1))} per session), heap ${mib(before.heap)} → ${mib(after.heap)}. Starting the other ${count - 1} boxes (${startConcurrency} at a time, each with its first turn): ${(startAll / 1000).toFixed(1)} s.`,
  );
} finally {
  await bench.close();
}
