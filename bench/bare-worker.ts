// The bare side of bench/approval-latency.ts, as a process of its own like the Airlock worker:
// a Temporal worker with the same connection, data converter, workflow bundle and worker tuning,
// whose durableWaitWorkflow activity (stampRelease) does nothing but POST its token to the
// bench's hit server (argv[2]), the way executeAction's request reaches the refunds API.
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfigOrExit } from '../src/config.ts';
import { dataConverter } from '../src/temporal/client.ts';
import { workerTuning, workflowsPath } from '../src/temporal/worker.ts';
import { connectionOptions } from '../src/temporal/connection.ts';

const hitUrl = process.argv[2] ?? '';
const config = loadConfigOrExit();
const connection = await NativeConnection.connect(connectionOptions(config));
const worker = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  dataConverter: dataConverter(config),
  workflowsPath,
  activities: {
    async stampRelease({ token }: { token: string }) {
      const res = await fetch(hitUrl, { method: 'POST', body: JSON.stringify({ token }) });
      await res.arrayBuffer();
      return { token, handledByPid: process.pid };
    },
  },
  ...workerTuning,
});
process.stdout.write('bare worker ready\n');
await worker.run();
