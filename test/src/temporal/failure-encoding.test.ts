// Failure messages and stack traces go through the payload codec: a workflow task that fails, an
// activity that fails and the workflow failure it causes are stored by the real Temporal server
// with their text encrypted. The history is read raw, by a client without the key, and searched
// for the error texts; the client with the key still reads them.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createClient, dataConverter } from '../../../src/temporal/client.ts';
import { connectionOptions } from '../../../src/temporal/connection.ts';
import { workflowsPath } from '../../../src/temporal/worker.ts';
import { releaseSignal } from '../../../workflows/durable-wait/messages.ts';
import { testConfig } from '../../helpers/temporal.ts';

const config = testConfig({ AIRLOCK_PAYLOAD_KEY: randomBytes(32).toString('base64') });
const activitySecret = `ACTIVITY-SECRET-${randomUUID()}`;
const taskSecret = `TASK-SECRET-${randomUUID()}`;
let client: Client | undefined;
let keyless: Client | undefined;
let native: NativeConnection | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;

before(async () => {
  client = await createClient(config);
  keyless = new Client({
    connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
    namespace: config.TEMPORAL_NAMESPACE,
  });
  // The workers' data converter (src/temporal/client.ts), with an activity that fails with a
  // reason in its message, as a refused execution or an API error would.
  worker = await Worker.create({
    connection: (native = await NativeConnection.connect(connectionOptions(config))),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath,
    dataConverter: dataConverter(config),
    activities: {
      stampRelease: () =>
        Promise.reject(ApplicationFailure.nonRetryable(`refused: ${activitySecret}`, 'Refused')),
    },
  });
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await native?.close();
  await client?.connection.close();
  await keyless?.connection.close();
});

/** Every string and every byte of a history, as text, the way someone with database access sees it. */
async function rawHistory(workflowId: string): Promise<string> {
  const { events } = await (keyless as Client).workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(events, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
  );
}

test(
  'a failed activity and the workflow failure it causes are stored encrypted',
  { timeout: 120_000 },
  async () => {
    const handle = await (client as Client).workflow.start('durableWaitWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `failure-encoding-${randomUUID()}`,
      args: [{ purpose: 'failure encoding test' }],
    });
    await handle.signal(releaseSignal, { token: 't' });
    const err = await handle.result().then(
      () => assert.fail('the workflow should fail'),
      (e: unknown) => e,
    );
    // The key holder reads the reason through the codec.
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(
      String((err.cause?.cause as Error | undefined)?.message),
      new RegExp(activitySecret),
    );
    const raw = await rawHistory(handle.workflowId);
    assert.match(
      raw,
      /ActivityTaskFailed|EVENT_TYPE_ACTIVITY_TASK_FAILED|"activityTaskFailedEventAttributes"/,
    );
    assert.ok(!raw.includes(activitySecret), 'the activity failure message is stored in clear');
    assert.ok(!raw.includes('refused: '), 'the activity failure message is stored in clear');
  },
);

test('a failed workflow task is stored encrypted', { timeout: 120_000 }, async () => {
  // An invalid duration makes the workflow code throw, which fails its task again and again.
  const handle = await (client as Client).workflow.start('durableWaitWorkflow', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `failure-encoding-task-${randomUUID()}`,
    args: [{ purpose: 'failure encoding test', timeout: `not a duration ${taskSecret}` }],
  });
  try {
    let raw = '';
    for (let i = 0; i < 100 && !raw.includes('workflowTaskFailedEventAttributes'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      raw = await rawHistory(handle.workflowId);
    }
    assert.ok(raw.includes('workflowTaskFailedEventAttributes'), 'the workflow task failed');
    assert.ok(!raw.includes(taskSecret), 'the workflow task failure is stored in clear');
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});
