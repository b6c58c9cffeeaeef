// Sandbox start-to-output latency through our dockerode driver versus a bare `docker run` of the
// same image with the same hardening flags, interleaved in one run. Goal: within 1.2x of bare.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { SandboxDriver } from '../src/sandbox/driver.ts';
import { hardenedRunArgs, machine, ms, percentile, timeMs } from './stats.ts';

const run = promisify(execFile);
const config = loadConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
const rounds = Number(process.argv[2] ?? 20);
const script = 'console.log(40 + 2)';
const ours: number[] = [];
const bare: number[] = [];

for (let i = 0; i < rounds + 2; i++) {
  const a = await timeMs(async () => {
    const r = await driver.run({
      name: `airlock-bench-${process.pid}-${i}`,
      image: config.AIRLOCK_SANDBOX_IMAGE,
      cmd: ['/usr/local/bin/node', '-e', script],
      memoryMb: config.AIRLOCK_SANDBOX_MEMORY_MB,
      pids: config.AIRLOCK_SANDBOX_PIDS,
      timeoutMs: 30_000,
    });
    if (r.stdout.trim() !== '42') throw new Error(`unexpected output ${r.stdout}`);
  });
  const b = await timeMs(async () => {
    const { stdout } = await run(
      'docker',
      [
        ...hardenedRunArgs(config.AIRLOCK_SANDBOX_MEMORY_MB, config.AIRLOCK_SANDBOX_PIDS),
        config.AIRLOCK_SANDBOX_IMAGE,
        '/usr/local/bin/node',
        '-e',
        script,
      ],
      { env: { ...process.env, DOCKER_HOST: config.DOCKER_HOST } },
    );
    if (stdout.trim() !== '42') throw new Error(`unexpected output ${stdout}`);
  });
  if (i >= 2) {
    ours.push(a);
    bare.push(b);
  }
}

const p50o = percentile(ours, 50);
const p50b = percentile(bare, 50);
console.log(
  `### Sandbox start-to-output (${rounds} interleaved rounds, 2 warm-up)\n\nMachine: ${machine()}\n`,
);
console.log('| path | p50 | p90 | max |\n| --- | --- | --- | --- |');
console.log(
  `| dockerode driver (create, start, wait, logs, remove) | ${ms(p50o)} | ${ms(percentile(ours, 90))} | ${ms(Math.max(...ours))} |`,
);
console.log(
  `| bare \`docker run --rm\` (same image and flags) | ${ms(p50b)} | ${ms(percentile(bare, 90))} | ${ms(Math.max(...bare))} |`,
);
console.log(`\nRatio (p50 driver / p50 bare): **${(p50o / p50b).toFixed(2)}x** (goal ≤ 1.2x)`);
