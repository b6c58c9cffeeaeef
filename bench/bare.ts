// The bare baselines' worker, a process of its own like the Airlock worker: the same connection,
// data converter and worker tuning, with only the bench's workflows and activities registered.
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfigOrExit } from '../src/config.ts';
import { dataConverter } from '../src/temporal/client.ts';
import { connectionOptions } from '../src/temporal/connection.ts';
import { workerTuning } from '../src/temporal/worker.ts';

/** Run a worker of `workflowsPath` and `activities`; prints `ready` once it polls. */
export async function runBareWorker(
  workflowsPath: string,
  activities: Record<string, (...args: never[]) => Promise<unknown>>,
  ready: string,
): Promise<void> {
  const config = loadConfigOrExit();
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: dataConverter(config),
    workflowsPath,
    activities,
    ...workerTuning,
  });
  process.stdout.write(`${ready}\n`);
  await worker.run();
}
