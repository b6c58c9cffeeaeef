// One Temporal client per CLI command: opened from the command's environment, always closed; and
// the status queries commands ask with a deadline.
import type { Client, QueryDefinition } from '@temporalio/client';
import { loadConfig, type Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
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

/**
 * What `query` answers on workflow `workflowId`, or null when there is no such workflow. A query
 * needs a worker: without one answering within `ms`, throws AirlockError `code`. With
 * `passAirlockErrors`, an AirlockError (the payload codec's) is thrown as it is, not wrapped.
 */
export async function queryWithin<T>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<T, []>,
  options: { ms: number; code: string; passAirlockErrors?: boolean },
): Promise<T | null> {
  try {
    return await client.connection.withDeadline(Date.now() + options.ms, () =>
      client.workflow.getHandle(workflowId).query(query),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return null;
    if (options.passAirlockErrors && (err as Error).name === 'AirlockError') throw err;
    throw new AirlockError(
      options.code,
      `${workflowId} did not answer its status query (is a worker running?): ${(err as Error).message}`,
      { cause: err },
    );
  }
}
