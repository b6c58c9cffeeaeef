// Worker start time with the pre-built workflow bundle versus bundling the workflows at start.
// Each sample creates a worker against the real dev server (no polling), alternating the two modes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { createActivities } from '../activities/index.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createDeps } from '../src/deps.ts';
import { noChatSurface } from '../src/chat/none.ts';
import { installRuntimeLogger, workflowsPath } from '../src/temporal/worker.ts';
import { machine, ms, percentile, timeMs } from './stats.ts';
import { connectionOptions } from '../src/temporal/connection.ts';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
installRuntimeLogger(createLogger({ level: 'warn' }));
const rounds = Number(process.argv[2] ?? 8);
const bundlePath = join(mkdtempSync(join(tmpdir(), 'airlock-bundle-')), 'bundle.js');
writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath, logger: undefined })).code);
const connection = await NativeConnection.connect(connectionOptions(config));
const activities = createActivities(createDeps(config, noChatSurface));
let n = 0;
const base = () => ({ connection, taskQueue: `bench-${process.pid}-${n++}`, activities });

const bundled: number[] = [];
const atStart: number[] = [];
for (let i = 0; i < rounds; i++) {
  bundled.push(
    await timeMs(() => Worker.create({ ...base(), workflowBundle: { codePath: bundlePath } })),
  );
  atStart.push(await timeMs(() => Worker.create({ ...base(), workflowsPath })));
}

console.log(`### Worker start (${rounds} samples each, alternating)\n\nMachine: ${machine()}\n`);
console.log('| mode | p50 | max |\n| --- | --- | --- |');
console.log(`| pre-built bundle | ${ms(percentile(bundled, 50))} | ${ms(Math.max(...bundled))} |`);
console.log(
  `| bundle at start (webpack) | ${ms(percentile(atStart, 50))} | ${ms(Math.max(...atStart))} |`,
);
console.log(`\nSpeed-up: **${(percentile(atStart, 50) / percentile(bundled, 50)).toFixed(1)}x**`);
process.exit(0); // created workers hold the connection open; nothing else to clean up
