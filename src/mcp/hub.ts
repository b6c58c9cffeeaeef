// The MCP hub: one per worker process, one connection per server, opened on first use and opened
// again after the server went away (a crashed stdio process, an ended HTTP session). A definition
// changed in the policy (command, url or credentials) replaces its connection. Every call lists
// the server's tools first, so a description changed since it was accepted (a rug pull) holds the
// tool even when the call was approved days ago (or a moment ago); the arguments are checked
// against the tool's own schema before the server sees them. A listing may stand for a caller that
// asks (the decision's check, right after the gateway listed for the same request), never for a
// call. The hub never calls a tool twice on its own.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../canonical-json.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { McpServer } from '../policy/mcp-schema.ts';
import type { CredentialStore } from '../vault/types.ts';
import { connect, defaultBinDir, type Connection } from './connect.ts';
import { argumentChecker } from './arguments.ts';
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

/** What identifies a server's connection: how it is started or reached, and its credentials. */
const slotKey = (server: McpServer): string =>
  canonicalJson({ c: server.command, u: server.url, k: server.credentials });

/** A hub for the servers of `options.servers`; nothing starts until a server is first used. */
export function createMcpHub(options: McpHubOptions): McpHub {
  const { logger } = options;
  const binDir = options.binDir ?? defaultBinDir;
  const maxResultBytes = options.maxResultBytes ?? 16 * 1024;
  const slots = new Map<string, Slot>();
  const acceptance = new Acceptance();
  const argumentCheck = argumentChecker();
  const warned = new Set<string>();
  // Bounded, even for a server whose descriptions change at every list.
  const maxWarned = 1000;
  let closing = false;

  // Each server's last listing, for a call made right after it (listingReuseMs).
  const recent = new Map<
    string,
    { at: number; c: Connection; key: string; found: Awaited<ReturnType<typeof listing>> }
  >();

  const servers = async () =>
    typeof options.servers === 'function' ? await options.servers() : options.servers;
  const serverNamed = async (id: string) => (await servers()).find((s) => s.id === id);

  /** The open connection to `server`, opening (or re-opening) it when there is none. */
  async function open(server: McpServer): Promise<Connection> {
    if (closing) throw new AirlockError('mcp_closed', 'The MCP hub is closed.');
    const key = slotKey(server);
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

  /** The server's granted tools as it lists them now (every page), hashed; kept for reuse. */
  async function listing(server: McpServer, c: Connection, signal?: AbortSignal) {
    const listed = await listAll(c.client, { signal, timeout: server.timeout });
    const split = grantedTools(server, listed, acceptance);
    for (const h of split.held) warnHeld(h);
    const found = { listed, ...split };
    recent.set(server.id, { at: performance.now(), c, key: canonicalJson(server), found });
    return found;
  }

  /**
   * The last listing of `server` when it is at most `maxAgeMs` old, for the same definition (its
   * grants and pins decide what is held) and over the connection still in use; else a new one.
   */
  async function listingWithin(server: McpServer, maxAgeMs: number, signal?: AbortSignal) {
    const r = recent.get(server.id);
    const usable =
      r &&
      performance.now() - r.at <= maxAgeMs &&
      !r.c.closed &&
      r.key === canonicalJson(server) &&
      slots.get(server.id)?.opened === r.c;
    return usable ? { c: r.c, found: r.found } : openAndList(server, signal);
  }

  /**
   * The connection and the server's listing. Listing changes nothing on the server, so a failed
   * list drops the connection and lists once more on a fresh one (a server that restarted and
   * forgot the session); a second failure is `mcp_unavailable`. Tool calls are never retried.
   */
  async function openAndList(server: McpServer, signal?: AbortSignal) {
    for (let attempt = 1; ; attempt++) {
      const c = await open(server);
      try {
        return { c, found: await listing(server, c, signal) };
      } catch (err) {
        if (signal?.aborted) throw err;
        drop(server.id, c);
        if (attempt >= 2) {
          throw new AirlockError(
            'mcp_unavailable',
            `MCP server "${server.id}" did not list its tools (nothing was called): ${c.scrub((err as Error).message)}`,
          );
        }
      }
    }
  }

  function warnHeld(h: HeldTool): void {
    const key = `${h.server}\u0000${h.name}\u0000${h.listedHash}`;
    if (warned.has(key)) return;
    if (warned.size >= maxWarned) warned.clear();
    warned.add(key);
    logger.warn(
      { mcpServer: h.server, tool: h.name, acceptedHash: h.acceptedHash, listedHash: h.listedHash },
      'MCP tool description changed since it was accepted: held until the policy pins the new hash',
    );
  }

  return {
    async listTools(ids, signal, reuseMs = 0) {
      const tools: McpTool[] = [];
      const held: HeldTool[] = [];
      for (const id of ids) {
        const server = await serverNamed(id);
        if (!server) {
          logger.warn({ mcpServer: id }, 'no such MCP server in the policy: none of its tools');
          continue;
        }
        try {
          const { found } = await listingWithin(server, reuseMs, signal);
          tools.push(...found.tools);
          held.push(...found.held);
        } catch (err) {
          if (signal?.aborted) throw err;
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
      const { c, found } = await openAndList(server, signal).catch((err: unknown) => {
        throw callFailure(err, { server: id, tool, timeoutMs, signal }, (t) => t);
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
      argumentCheck.check(id, listed, args);
      let raw;
      try {
        raw = await c.client.callTool({ name: tool, arguments: args }, undefined, {
          signal,
          timeout: timeoutMs,
          maxTotalTimeout: timeoutMs,
        });
      } catch (err) {
        const failure = closing
          ? new AirlockError('mcp_closed', `The MCP hub closed during the call to "${tool}".`)
          : callFailure(err, { server: id, tool, timeoutMs, signal }, c.scrub);
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
