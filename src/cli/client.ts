// One Temporal client per CLI command: opened from the command's environment, always closed.
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config.ts';
import { createClient } from '../temporal/client.ts';

/** Run `fn` with a client for `env`'s Temporal, closing the connection afterwards. */
export async function withClient<T>(
  env: Record<string, string | undefined>,
  fn: (client: Client, config: Config) => Promise<T>,
): Promise<T> {
  return withConfigClient(loadConfig(env), fn);
}

/** Run `fn` with a client for `config`'s Temporal, closing the connection afterwards. */
export async function withConfigClient<T>(
  config: Config,
  fn: (client: Client, config: Config) => Promise<T>,
  options: { connectTimeoutMs?: number } = {},
): Promise<T> {
  // The operator's certificate (TEMPORAL_TLS_CLI_*): the server lets it read and cancel.
  const client = await createClient(config, { ...options, role: 'cli' });
  try {
    return await fn(client, config);
  } finally {
    await client.connection.close();
  }
}
