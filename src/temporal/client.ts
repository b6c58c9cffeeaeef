// Temporal client factory: one place that knows the address, namespace and data converter, so the
// worker, the CLI and the webhook server all encrypt payloads the same way.
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config.ts';
import { EncryptionCodec } from './codec.ts';
import { connectionOptions, type TemporalRole } from './connection.ts';

/**
 * The failure converter's file (src/temporal/failure-converter.ts): failure messages and stack
 * traces become payloads, which the codec encrypts. Workflow bundles built ahead of time take it too
 * (scripts/bundle-workflows.ts).
 */
export const failureConverterPath = fileURLToPath(
  new URL('./failure-converter.ts', import.meta.url),
);

/**
 * The data converter shared by clients and workers: encrypts payloads, failure messages and stack
 * traces included, when a key is configured.
 */
export function dataConverter(
  config: Pick<Config, 'AIRLOCK_PAYLOAD_KEY' | 'AIRLOCK_PAYLOAD_KEY_ID'>,
): DataConverter {
  if (!config.AIRLOCK_PAYLOAD_KEY) return {};
  const key = Buffer.from(config.AIRLOCK_PAYLOAD_KEY, 'base64');
  return {
    failureConverterPath,
    payloadCodecs: [
      new EncryptionCodec({ [config.AIRLOCK_PAYLOAD_KEY_ID]: key }, config.AIRLOCK_PAYLOAD_KEY_ID),
    ],
  };
}

/**
 * Connect to Temporal and return a client using Airlock's data converter; `connectTimeoutMs` bounds
 * the connect for callers that go on without Temporal (e.g. `airlock agents list`); `role` picks
 * the client certificate (the worker's by default).
 */
export async function createClient(
  config: Config,
  options: { connectTimeoutMs?: number; role?: TemporalRole } = {},
): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(config, options.role),
    ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}),
  });
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config),
  });
}
