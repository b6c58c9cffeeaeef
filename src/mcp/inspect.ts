// What an operator asks of one server (`airlock mcp list`): every tool it lists, granted or not,
// with its description hash, so a new tool can be granted and a changed description pinned. One
// short connection of its own, closed at once; descriptions sanitized as an agent would see them.
import type { Logger } from '../log.ts';
import type { McpServer } from '../policy/mcp-schema.ts';
import type { CredentialStore } from '../vault/types.ts';
import { connect, defaultBinDir } from './connect.ts';
import { clean, listAll } from './tools.ts';

/** One tool as the server lists it now. */
export interface ListedToolInfo {
  name: string;
  /** Sanitized. */
  description: string;
  descriptionHash: string;
}

/** Every tool `server` lists (all pages), in its order; throws `mcp_unavailable` when it cannot. */
export async function listServerTools(
  server: McpServer,
  deps: { vault?: CredentialStore; logger: Logger; binDir?: string },
): Promise<ListedToolInfo[]> {
  const c = await connect(server, {
    vault: deps.vault,
    logger: deps.logger,
    binDir: deps.binDir ?? defaultBinDir,
    timeoutMs: server.timeout,
  });
  try {
    const listed = await listAll(c.client, { timeout: server.timeout });
    return listed.map(({ raw, hash }) => ({
      name: raw.name,
      description: clean(raw.description ?? ''),
      descriptionHash: hash,
    }));
  } finally {
    await c.close();
  }
}
