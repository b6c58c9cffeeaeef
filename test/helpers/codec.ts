// A codec server of the test's own (src/temporal/codec-server.ts) on a free loopback port, with
// the payload key of `config`: the tests that call it over HTTP or drive the UI through it. Also a
// durable wait whose input, stored encrypted, carries a marker those tests look for.
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createClient, dataConverter } from '../../src/temporal/client.ts';
import { createCodecServer, type CodecServer } from '../../src/temporal/codec-server.ts';

/** A running codec server and its base URL (`http://127.0.0.1:<port>`). */
export interface TestCodecServer {
  server: CodecServer;
  url: string;
}

/** Start one; `uiUpstream` also serves that Temporal UI under its origin. Close `server` after. */
export async function startCodecServer(options: {
  config: Config;
  token: string;
  uiOrigin: string;
  uiUpstream?: string;
}): Promise<TestCodecServer> {
  const codec = dataConverter(options.config).payloadCodecs?.[0];
  if (!codec) throw new Error('the test config has no payload key: nothing to decode');
  const server = createCodecServer({
    codec,
    uiOrigin: options.uiOrigin,
    token: options.token,
    logger: createLogger({ level: 'silent' }),
    uiUpstream: options.uiUpstream,
  });
  return { server, url: `http://127.0.0.1:${await server.listen(0)}` };
}

/**
 * Start a durable wait (no worker takes it) whose input, stored encrypted, carries a fresh marker
 * text; ids and task queue start with `prefix`. Terminate `handle` and close `client` after.
 */
export async function startMarkedWait(
  config: Config,
  prefix: string,
): Promise<{ client: Client; handle: WorkflowHandle; marker: string }> {
  const client = await createClient(config);
  const marker = `refund for order ${randomUUID()}`;
  const handle = await client.workflow.start('durableWaitWorkflow', {
    taskQueue: `${prefix}-${randomUUID()}`,
    workflowId: `${prefix}-${randomUUID()}`,
    args: [{ purpose: marker }],
  });
  return { client, handle, marker };
}
