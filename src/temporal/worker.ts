// Worker construction shared by workers/main.ts, tests and benchmarks: SDK logs go to pino,
// workflows come from a pre-built bundle when one is given (production) or are bundled at start.
// The activities are built by the caller (activities/index.ts) and handed in.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkerOptions,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { hostTaskQueue } from '../../workflows/agent-session/ids.ts';
import { dataConverter } from './client.ts';
import { connectionOptions } from './connection.ts';

/** Absolute path of workflows/index.ts, resolved from this file (works from any cwd). */
export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Poller and cache settings shared by every worker (the benchmark's bare worker too). */
export const workerTuning = {} satisfies Partial<WorkerOptions>;

let runtimeInstalled = false;

// People take minutes to days to decide, so Airlock's request histograms (ms) get buckets from a
// second to a week instead of the exporter's defaults (which stop at seconds).
const decisionBucketsMs = [
  1_000, 5_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 43_200_000, 86_400_000,
  259_200_000, 604_800_000,
];

/** Route the Temporal SDK's logs into `logger` and, with `metricsBind`, serve metrics; once per process. */
export function installRuntimeLogger(logger: Logger, metricsBind?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      logger[pinoLevel[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
    }),
    // The SDK's Prometheus exporter also carries Airlock's own metrics (workflows/metrics.ts and
    // the worker's gauges, src/temporal/gauges.ts).
    ...(metricsBind
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: metricsBind,
                histogramBucketOverrides: {
                  airlock_time_to_decision: decisionBucketsMs,
                  airlock_action_duration: decisionBucketsMs,
                },
              },
            },
          },
        }
      : {}),
  });
}

/** Options for createWorker. */
export interface CreateWorkerOptions {
  config: Config;
  logger: Logger;
  /** The activities this worker runs (`createActivities(deps)` from activities/index.ts). */
  activities: NonNullable<WorkerOptions['activities']>;
  /** A pre-built workflow bundle (scripts/bundle-workflows.ts); bundled at start when absent. */
  bundlePath?: string | undefined;
}

/** Connect to Temporal and create the Airlock worker (call `run()` on it). */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { config, logger, activities, bundlePath } = options;
  installRuntimeLogger(logger, config.AIRLOCK_METRICS_BIND);
  const connection = await NativeConnection.connect(connectionOptions(config));
  const workflows =
    bundlePath && existsSync(bundlePath)
      ? { workflowBundle: { codePath: bundlePath } }
      : { workflowsPath };
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    dataConverter: dataConverter(config),
    shutdownGraceTime: '10 seconds',
    ...workerTuning,
    maxCachedWorkflows: config.AIRLOCK_WORKER_CACHED_WORKFLOWS,
    ...workflows,
  });
}

/**
 * The worker of this host's own task queue: the same activities, no workflows. A session whose
 * sandbox lives on this host sends its turns here, so they run beside its box and gateway.
 */
export async function createHostWorker(
  options: Omit<CreateWorkerOptions, 'bundlePath'> & { hostId: string },
): Promise<Worker> {
  const { config, activities, hostId } = options;
  const connection = await NativeConnection.connect(connectionOptions(config));
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: hostTaskQueue(config.TEMPORAL_TASK_QUEUE, hostId),
    activities,
    dataConverter: dataConverter(config),
    shutdownGraceTime: '10 seconds',
    ...workerTuning,
  });
}
