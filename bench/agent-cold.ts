// Agent sandbox cold start versus wake and reattach (issue 10): the gateway + ensureAgentBox + the
// first turn done (a one-step text reply from the stand-in model) for (a) a new box (volume
// checked, container created and started, the runner starts and reads GET /v1/agent), (b) a box
// stopped as the idle stop does (gateway closed, container stopped) and started again, (c) a
// running box (ensure finds it; the gateway is open). Baseline, interleaved in the same rounds: a
// bare `docker run --rm` of the same image running `node -e 0` with the same hardening flags.
// Usage: node bench/agent-cold.ts [rounds=10]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { removeAgentBox, stopAgentBox } from '../src/sandbox/agent-box.ts';
import { agentBench, machine, ms, percentile, timeMs } from './agent-setup.ts';
import { hardenedRunArgs } from './stats.ts';

const rounds = Number(process.argv[2] ?? 10);
const warmup = 1;
const run = promisify(execFile);
const bench = await agentBench();
const stop = () => void bench.close().finally(() => process.exit(130));
process.once('SIGINT', stop).once('SIGTERM', stop);
const { fx, registry } = bench;
const docker = fx.driver.docker;
const mem = bench.agent.limits.memoryMb;

const bareRun = async () => {
  await run(
    'docker',
    [
      ...hardenedRunArgs(mem, bench.agent.limits.pids),
      fx.config.AIRLOCK_SANDBOX_IMAGE,
      'node',
      '-e',
      '0',
    ],
    { env: { ...process.env, DOCKER_HOST: fx.config.DOCKER_HOST } },
  );
};

/** Time the gateway + box ensure (returned as `box`) and the whole open + first turn. */
const openAndTurn = async (sessionId: string) => {
  const start = performance.now();
  const { session } = await bench.open(sessionId);
  const box = performance.now() - start;
  await bench.turn(session, 'hello');
  return { box, total: performance.now() - start };
};

const samples = {
  bare: [] as number[],
  newBox: [] as number[],
  newBoxEnsure: [] as number[],
  wake: [] as number[],
  wakeEnsure: [] as number[],
  reattach: [] as number[],
  reattachEnsure: [] as number[],
};

try {
  await openAndTurn('wake'); // the box woken in (b)
  await openAndTurn('attach'); // the box found running in (c)
  for (let i = 0; i < rounds + warmup; i++) {
    const keep = i >= warmup;
    const bare = await timeMs(bareRun);

    const fresh = `new-${i}`;
    const a = await openAndTurn(fresh);
    await registry.close(fresh);
    await removeAgentBox(docker, bench.spec(fresh));

    // As stopAgentSandbox does it: the gateway closes, the container stops.
    await registry.close('wake');
    await stopAgentBox(docker, bench.spec('wake'));
    const b = await openAndTurn('wake');

    const c = await openAndTurn('attach');
    if (keep) {
      samples.bare.push(bare);
      samples.newBox.push(a.total);
      samples.newBoxEnsure.push(a.box);
      samples.wake.push(b.total);
      samples.wakeEnsure.push(b.box);
      samples.reattach.push(c.total);
      samples.reattachEnsure.push(c.box);
    }
  }

  const cells = (v: number[]) =>
    `${ms(percentile(v, 50))} | ${ms(percentile(v, 90))} | ${ms(Math.max(...v))}`;
  console.log(
    `### Agent sandbox cold start vs wake vs reattach (${rounds} interleaved rounds, ${warmup} warm-up)\n\nMachine: ${machine()}\n`,
  );
  console.log(
    '| path | gateway + ensureAgentBox p50 | to first turn done p50 | p90 | max |\n| --- | --- | --- | --- | --- |',
  );
  const p50 = (v: number[]) => ms(percentile(v, 50));
  console.log(
    `| bare \`docker run --rm\` \`node -e 0\` (same image and flags) | — | ${cells(samples.bare)} |`,
  );
  console.log(
    `| (a) new box: create + start + runner start + first turn | ${p50(samples.newBoxEnsure)} | ${cells(samples.newBox)} |`,
  );
  console.log(
    `| (b) stopped box started again (idle wake) + first turn | ${p50(samples.wakeEnsure)} | ${cells(samples.wake)} |`,
  );
  console.log(
    `| (c) running box found again (reattach) + turn | ${p50(samples.reattachEnsure)} | ${cells(samples.reattach)} |`,
  );
} finally {
  await bench.close();
}
