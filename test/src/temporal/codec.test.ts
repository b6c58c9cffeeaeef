// Payload encryption: values round-trip through the codec, the history stored by the real
// Temporal server holds only ciphertext (a secret in a workflow input is not readable there), and
// a worker with the key refuses a plain payload (a signal forged by a client without the key).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../../src/temporal/codec.ts';
import { createClient } from '../../../src/temporal/client.ts';
import { releaseSignal } from '../../../workflows/durable-wait/messages.ts';
import { killProcess, spawnWorker, testConfig } from '../../helpers/temporal.ts';

test('encode then decode returns the original payload; a wrong key fails', async () => {
  const key = randomBytes(32);
  const codec = new EncryptionCodec({ k1: key }, 'k1');
  const payload = defaultPayloadConverter.toPayload({ secret: 'hunter2' });
  const [sealed] = await codec.encode([payload]);
  assert.ok(
    sealed &&
      !Buffer.from(sealed.data ?? [])
        .toString('latin1')
        .includes('hunter2'),
  );
  const [opened] = await codec.decode([sealed]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), { secret: 'hunter2' });
  const other = new EncryptionCodec({ k1: randomBytes(32) }, 'k1');
  await assert.rejects(other.decode([sealed]), { code: 'codec_decrypt_failed' });
  const rotated = new EncryptionCodec({ k1: key, k2: randomBytes(32) }, 'k2');
  const [reopened] = await rotated.decode([sealed]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(reopened!), { secret: 'hunter2' });
  // A payload without our encryption never reaches workflow code: it decodes to a refusal.
  const [plain] = await codec.decode([payload]);
  assert.match(
    defaultPayloadConverter.fromPayload<{ airlockRefused: string }>(plain!).airlockRefused,
    /unencrypted payload/,
  );
});

test('a worker with the key runs an encrypted signal and refuses a plain one sent without the key, without getting stuck', async () => {
  const config = testConfig({ AIRLOCK_PAYLOAD_KEY: randomBytes(32).toString('base64') });
  const client = await createClient(config);
  const keyless = new Client({
    connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const worker = await spawnWorker(config);
  const start = () =>
    client.workflow.start('durableWaitWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `codec-signal-${randomUUID()}`,
      args: [{ purpose: 'signal codec test' }],
    });
  const [genuine, forged] = [await start(), await start()];
  try {
    await genuine.signal(releaseSignal, { token: 'from-the-key-holder' });
    const result = (await genuine.result()) as { token: string };
    assert.equal(result.token, 'from-the-key-holder');

    await keyless.workflow.getHandle(forged.workflowId).signal(releaseSignal, { token: 'forged' });
    // The forged release is refused (the workflow sees no token) and the run is not stuck: the key
    // holder's release still completes it with its own token.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(
      (await forged.describe()).status.name,
      'RUNNING',
      'the forged release did nothing',
    );
    await forged.signal(releaseSignal, { token: 'from-the-key-holder' });
    const released = (await forged.result()) as { token: string };
    assert.equal(released.token, 'from-the-key-holder');
    const { events } = await forged.fetchHistory();
    assert.ok(!events?.some((e) => e.workflowTaskFailedEventAttributes), 'no workflow task failed');
  } finally {
    await forged.terminate('test done').catch(() => undefined);
    await killProcess(worker, 'SIGTERM');
    await keyless.connection.close();
    await client.connection.close();
  }
});

test('workflow inputs are stored encrypted in the real server history', async () => {
  const key = randomBytes(32).toString('base64');
  const config = testConfig({ AIRLOCK_PAYLOAD_KEY: key });
  const client = await createClient(config);
  const marker = `plaintext-marker-${randomUUID()}`;
  const workflowId = `codec-${randomUUID()}`;
  // No worker polls this queue: the start event alone carries the input.
  const handle = await client.workflow.start('durableWaitWorkflow', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [{ purpose: marker }],
  });
  const raw = new Client({
    connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const history = await raw.workflow.getHandle(workflowId).fetchHistory();
  const bytes = allBytes(history);
  assert.ok(!bytes.includes(marker), 'plaintext found in history');
  assert.ok(bytes.includes('binary/encrypted'));
  const decoded = await client.workflow.getHandle(workflowId).fetchHistory();
  const input = decoded.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  assert.ok(input);
  await handle.terminate('test done');
  await raw.connection.close();
  await client.connection.close();
});

/** Every byte array and string anywhere in `value`, as one latin1 string. */
function allBytes(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.values(value).map(allBytes).join('\n');
  return '';
}
