// Building the activities' dependencies from configuration, in one place, for the worker, tests
// and benchmarks. The vault opens lazily, so a worker without a vault key still runs sandboxes and
// fails only the executions that need a credential, with a clear `vault_key_missing` error.
import type { ApprovalCardSender } from '../activities/actions.ts';
import type { ActivityDeps } from '../activities/index.ts';
import { GatewayRegistry } from './agents/gateways.ts';
import { statusOnlyPoster } from './agents/poster.ts';
import { openAuditLog } from './audit/open.ts';
import type { Config } from './config.ts';
import { createLogger } from './log.ts';
import { createMcpHub } from './mcp/hub.ts';
import { currentPolicy } from './policy/current.ts';
import { SandboxDriver } from './sandbox/driver.ts';
import { createClient } from './temporal/client.ts';
import { openVault } from './vault/open.ts';
import type { CredentialStore } from './vault/types.ts';

/** A CredentialStore that opens the configured vault on first use. */
export function lazyVault(config: Config): CredentialStore {
  let store: CredentialStore | undefined;
  const get = () => (store ??= openVault(config));
  return {
    list: () => get().list(),
    resolve: (name) => get().resolve(name),
    put: (input) => get().put(input),
    remove: (name) => get().remove(name),
  };
}

/**
 * Every activity dependency for `config`; `cards` is the chat surface's card sender. Agent replies
 * go nowhere but the session status unless `overrides.poster` is a chat poster.
 */
export function createDeps(
  config: Config,
  cards: ApprovalCardSender,
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const vault = overrides.vault ?? lazyVault(config);
  const policy = overrides.policy ?? currentPolicy(config.AIRLOCK_POLICY_DIR);
  // The live policy's MCP servers, one hub for the worker: the gateways list an agent's granted
  // tools through it and the executor calls them. Nothing starts until a tool is listed or called.
  const mcp =
    overrides.mcp ??
    createMcpHub({ servers: async () => (await policy()).set.mcpServers, vault, logger });
  let client: ReturnType<typeof createClient> | undefined;
  return {
    driver: new SandboxDriver(config.DOCKER_HOST),
    config,
    policy,
    vault,
    mcp,
    audit: openAuditLog(config),
    cards,
    logger,
    gateways: new GatewayRegistry(config, vault, logger, mcp),
    client: () => (client ??= createClient(config)),
    poster: statusOnlyPoster(logger),
    ...overrides,
  };
}
