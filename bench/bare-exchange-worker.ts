// The bare worker of bench/exchange.ts, a process of its own like the Airlock worker: the same
// connection, data converter and worker tuning, with only bench/bare-exchange-workflows.ts
// registered and one activity that returns a fixed answer.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfigOrExit } from '../src/config.ts';
import { dataConverter } from '../src/temporal/client.ts';
import { workerTuning } from '../src/temporal/worker.ts';
import { connectionOptions } from '../src/temporal/connection.ts';

const config = loadConfigOrExit();
const connection = await NativeConnection.connect(connectionOptions(config));
const worker = await Worker.create({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  dataConverter: dataConverter(config),
  workflowsPath: fileURLToPath(new URL('./bare-exchange-workflows.ts', import.meta.url)),
  activities: {
    bareAnswer: (question: string) => Promise.resolve(`An answer to: ${question.slice(0, 40)}`),
  },
  ...workerTuning,
});
process.stdout.write('bare exchange worker ready\n');
await worker.run();
