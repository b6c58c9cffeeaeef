// The MCP hub: one per worker process, one connection per server, opened on first use and opened
// again after the server went away (a crashed stdio process, an ended HTTP session). A definition
// changed in the policy (command, url or credentials) replaces its connection. Every call lists
// the server's tools first, so a description changed since it was accepted (a rug pull) holds the
// tool even when the call was approved days ago; the arguments are checked against the tool's own
// schema before the server sees them. The hub never calls a tool twice on its own.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { canonicalJson } from '../canonical-json.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { McpServer } from '../policy/mcp-schema.ts';
import type { CredentialStore } from '../vault/types.ts';
import { connect, defaultBinDir, type Connection } from './connect.ts';
import { callFailure } from './failures.ts';
import { shapeResult } from './result.ts';
import { Acceptance, grantedTools, listAll } from './tools.ts';
import type { HeldTool, McpHub, McpTool } from './types.ts';

/** What a hub needs. */
export interface McpHubOptions {
  /** The servers of the policy: a list, or a function returning the live policy's (re-read per use). */
  servers: readonly McpServer[] | (() => Promise<readonly McpServer[]>);
  /** Where the servers' credentials are resolved. */
  vault?: CredentialStore;
  logger: Logger;
  /** Where a bare command name is looked for first; default Airlock's node_modules/.bin. */
  binDir?: string;
  /** Bytes of a result's text kept; beyond it the text is cut. Default 16 KiB (as action results). */
  maxResultBytes?: number;
}

interface Slot {
  key: string;
  connection: Promise<Connection>;
  /** Set once the connection is open. */
  opened?: Connection;
}

/** A hub for the servers of `options.servers`; nothing starts until a server is first used. */
export function createMcpHub(options: McpHubOptions): McpHub {
  const { logger } = options;
  const binDir = options.binDir ?? defaultBinDir;
  const maxResultBytes = options.maxResultBytes ?? 16 * 1024;
  const slots = new Map<string, Slot>();
  const acceptance = new Acceptance();
  const validators = new Map<string, JsonSchemaValidator<unknown>>();
  const ajv = new AjvJsonSchemaValidator();
  const warned = new Set<string>();
  let closing = false;

  const servers = async () =>
    typeof options.servers === 'function' ? await options.servers() : options.servers;
  const serverNamed = async (id: string) => (await servers()).find((s) => s.id === id);

  /** The open connection to `server`, opening (or re-opening) it when there is none. */
  async function open(server: McpServer): Promise<Connection> {
    if (closing) throw new AirlockError('mcp_closed', 'The MCP hub is closed.');
    const key = canonicalJson({ c: server.command, u: server.url, k: server.credentials });
    for (;;) {
      const slot = slots.get(server.id);
      if (slot && slot.key === key) {
        const c = await slot.connection;
        if (!c.closed) return c;
        // Another caller may have replaced it already; then use theirs.
        if (slots.get(server.id) !== slot) continue;
      }
      if (slot) retire(slot);
      const fresh: Slot = {
        key,
        connection: connect(server, {
          vault: options.vault,
          logger,
          binDir,
          timeoutMs: server.timeout,
        }),
      };
      slots.set(server.id, fresh);
      // A failed start leaves no slot behind: the next use tries again.
      fresh.connection.then(
        (c) => (fresh.opened = c),
        () => {
          if (slots.get(server.id) === fresh) slots.delete(server.id);
        },
      );
      return fresh.connection;
    }
  }

  /**
   * Give up connection `c` to server `id` after a failure of the transport itself (an HTTP session
   * the server forgot does not close the client): the next use opens a new one. Never retries.
   */
  function drop(id: string, c: Connection): void {
    const slot = slots.get(id);
    if (slot?.opened === c) retire(slot);
  }

  function retire(slot: Slot): void {
    for (const [id, s] of slots) if (s === slot) slots.delete(id);
    void slot.connection.then((c) => c.close()).catch(() => undefined);
  }

  /** The server's granted tools as it lists them now (every page), hashed. */
  async function listing(server: McpServer, c: Connection, signal?: AbortSignal) {
    const listed = await listAll(c.client, { signal, timeout: server.timeout });
    const split = grantedTools(server, listed, acceptance);
    for (const h of split.held) warnHeld(h);
    return { listed, ...split };
  }

  function warnHeld(h: HeldTool): void {
    const key = `${h.server}\u0000${h.name}\u0000${h.listedHash}`;
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn(
      { mcpServer: h.server, tool: h.name, acceptedHash: h.acceptedHash, listedHash: h.listedHash },
      'MCP tool description changed since it was accepted: held until the policy pins the new hash',
    );
  }

  function validator(hash: string, schema: unknown): JsonSchemaValidator<unknown> {
    let v = validators.get(hash);
    if (!v) {
      // A schema's own $id would be cached across servers by ajv: compile without it.
      const { $id: _, ...rest } = (schema ?? {}) as Record<string, unknown>;
      v = ajv.getValidator(rest);
      validators.set(hash, v);
    }
    return v;
  }

  return {
    async listTools(ids, signal) {
      const tools: McpTool[] = [];
      const held: HeldTool[] = [];
      for (const id of ids) {
        const server = await serverNamed(id);
        if (!server) {
          logger.warn({ mcpServer: id }, 'no such MCP server in the policy: none of its tools');
          continue;
        }
        let c: Connection | undefined;
        try {
          c = await open(server);
          const found = await listing(server, c, signal);
          tools.push(...found.tools);
          held.push(...found.held);
        } catch (err) {
          if (signal?.aborted) throw err;
          if (c) drop(id, c);
          // One server down takes its own tools away, not the others'.
          logger.warn({ mcpServer: id, err: (err as Error).message }, 'MCP server not listed');
        }
      }
      return { tools, held };
    },

    async callTool(id, tool, args, callOptions = {}) {
      const started = performance.now();
      const server = await serverNamed(id);
      if (!server)
        throw new AirlockError('mcp_unknown_server', `No MCP server "${id}" in the policy.`);
      if (!server.tools.includes(tool)) {
        throw new AirlockError(
          'mcp_tool_not_granted',
          `Tool "${tool}" of MCP server "${id}" is not granted by the policy.`,
        );
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        throw new AirlockError(
          'mcp_bad_arguments',
          `The arguments of "${tool}" are not an object.`,
        );
      }
      // The policy's timeout is the most a call gets; a caller may ask for less.
      const timeoutMs = Math.min(callOptions.timeoutMs ?? server.timeout, server.timeout);
      const { signal } = callOptions;
      const c = await open(server);
      // Nothing was called yet: a failure here is the server's list, not the call.
      const found = await listing(server, c, signal).catch((err: unknown) => {
        if (signal?.aborted)
          throw callFailure(err, { server: id, tool, timeoutMs, signal }, c.scrub);
        drop(id, c);
        throw new AirlockError(
          'mcp_unavailable',
          `MCP server "${id}" did not list its tools, so "${tool}" was not called: ${c.scrub((err as Error).message)}`,
        );
      });
      const held = found.held.find((h) => h.name === tool);
      if (held) {
        throw new AirlockError(
          'mcp_tool_held',
          `Tool "${tool}" of MCP server "${id}" changed its description since it was accepted (hash ${held.acceptedHash}, now ${held.listedHash}): held until the policy pins the new hash.`,
        );
      }
      const listed = found.listed.find((t) => t.raw.name === tool);
      const seen = callOptions.descriptionHash;
      if (listed && seen !== undefined && listed.hash !== seen) {
        throw new AirlockError(
          'mcp_tool_held',
          `Tool "${tool}" of MCP server "${id}" changed its description since the call was asked for (hash ${seen}, now ${listed.hash}): not called.`,
        );
      }
      if (!listed) {
        throw new AirlockError(
          'mcp_tool_unknown',
          `MCP server "${id}" does not offer tool "${tool}".`,
        );
      }
      let check: JsonSchemaValidator<unknown>;
      try {
        check = validator(listed.hash, listed.raw.inputSchema);
      } catch (err) {
        throw new AirlockError(
          'mcp_bad_schema',
          `Tool "${tool}" of MCP server "${id}" lists an input schema that cannot be used: ${(err as Error).message}`,
        );
      }
      const valid = check(args);
      if (!valid.valid) {
        throw new AirlockError(
          'mcp_bad_arguments',
          `The arguments do not fit tool "${tool}" of MCP server "${id}": ${valid.errorMessage}`,
        );
      }
      let raw;
      try {
        raw = await c.client.callTool({ name: tool, arguments: args }, undefined, {
          signal,
          timeout: timeoutMs,
          maxTotalTimeout: timeoutMs,
        });
      } catch (err) {
        const failure = callFailure(err, { server: id, tool, timeoutMs, signal }, c.scrub);
        // Not an answer from the server (the transport failed): the next call connects afresh.
        if (!(err instanceof McpError) && !signal?.aborted) drop(id, c);
        logger.warn({ mcpServer: id, tool, code: failure.code }, 'MCP tool call failed');
        throw failure;
      }
      const result = shapeResult(raw, {
        scrub: c.scrub,
        maxBytes: maxResultBytes,
        trusted: server.trusted,
      });
      logger.info(
        {
          mcpServer: id,
          tool,
          ms: Math.round(performance.now() - started),
          isError: result.isError,
          truncated: result.truncated,
          instructions: result.instructions?.length ?? 0,
        },
        'MCP tool called',
      );
      return result;
    },

    async close() {
      closing = true;
      const all = [...slots.values()];
      slots.clear();
      await Promise.all(all.map((s) => s.connection.then((c) => c.close()).catch(() => undefined)));
    },
  };
}
