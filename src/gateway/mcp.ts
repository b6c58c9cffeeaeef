// `/mcp`: the agent's tools over MCP (streamable HTTP) on the gateway socket, for any MCP-capable
// harness in the box: Airlock's own tools (mcp-tools.ts) and the granted tools of the MCP servers
// the agent holds (mcp-server-tools.ts), in one list. Stateless: each POST gets its own SDK server
// and transport, so nothing is lost when a worker restart opens a new gateway on the same socket
// (a session id would then be unknown), and the list is read afresh. GET and DELETE answer 405.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { readBody, sendTooLarge } from '../http.ts';
import type { Logger } from '../log.ts';
import { GatewayError } from './edge.ts';
import {
  agentToolName,
  serverTools,
  type ServerListing,
  type ServerToolDeps,
} from './mcp-server-tools.ts';
import { ownTools, type OwnToolDeps } from './mcp-tools.ts';
import type { McpRefusal } from './types.ts';

/** What the MCP endpoint needs. */
export interface McpDeps extends OwnToolDeps, ServerToolDeps {
  /** Audits a refused tool call (see McpRefusal); its failure is logged, the refusal stands. */
  onMcpRefused?: ((refusal: McpRefusal) => Promise<void>) | undefined;
}

/** The name and version the endpoint gives in `initialize`. */
const serverInfo = { name: 'airlock-gateway', version: '1.0.0' };

/** Answer a JSON-RPC error outside any request (no id is known). */
function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(status === 405 && { allow: 'POST' }),
  });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** The agent's tools; `only`: just the tools that may bear this name (a call lists no more). */
async function toolsFor(deps: McpDeps, signal: AbortSignal, only?: string): Promise<ServerListing> {
  const own = ownTools(deps);
  let servers = deps.agent.mcpServers ?? [];
  if (only !== undefined) servers = servers.filter((s) => only.startsWith(agentToolName(s, '')));
  try {
    const found = await serverTools(deps, servers, new Set(own.map((t) => t.name)), signal);
    return { ...found, tools: [...own, ...found.tools] };
  } catch (err) {
    // The hub failed as a whole: the agent keeps Airlock's own tools; the log says why.
    deps.logger.error({ err, agent: deps.agent.id, servers }, 'mcp tools not listed');
    return { tools: own, held: [], silent: servers };
  }
}

/** Call tool `name`: a JSON-RPC error when it is not offered or `args` do not fit, nothing started. */
async function callTool(
  deps: McpDeps,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const log = deps.logger.child({ agent: deps.agent.id, turn: deps.currentTurn(), tool: name });
  const { tools, held, silent } = await toolsFor(deps, signal, name);
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    const why = held.includes(name)
      ? 'it is held back: its description changed since it was accepted, and the policy has not accepted the new one'
      : silent.length > 0
        ? `its server (${silent.join(', ')}) lists no tools now; it may be down, try again later`
        : 'no such tool is offered to this agent';
    log.warn({ reason: why }, 'mcp tool call refused');
    return refuse(deps, name, args, `Tool ${name} cannot be called: ${why}.`, false, log);
  }
  let run: () => Promise<CallToolResult>;
  try {
    run = tool.prepare(args);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    log.warn({ code: err.code }, 'mcp tool call refused');
    return refuse(deps, name, args, err.message, true, log);
  }
  log.info('mcp tool call');
  return run();
}

/**
 * Refuse the call of `name` with `why`: audited first (a call to a server's tool, or to a name
 * the agent was never offered; a malformed call of Airlock's own tools is only logged), then
 * answered as a JSON-RPC invalid-params error.
 */
async function refuse(
  deps: McpDeps,
  name: string,
  args: Record<string, unknown>,
  why: string,
  offered: boolean,
  log: Logger,
): Promise<never> {
  const server = (deps.agent.mcpServers ?? []).find((s) => name.startsWith(agentToolName(s, '')));
  if (deps.onMcpRefused && (server !== undefined || !offered)) {
    // The call as it would have run: a server's tool gets no `purpose` (the gateway adds it).
    const { purpose: _, ...call } = args;
    const refusal: McpRefusal = {
      agentId: deps.agent.id,
      sessionId: deps.sessionId,
      turn: deps.currentTurn(),
      name,
      server: server ?? null,
      tool: server === undefined ? null : name.slice(agentToolName(server, '').length),
      arguments: server === undefined ? args : call,
      reason: why,
    };
    await deps.onMcpRefused(refusal).catch((err: unknown) => {
      log.error({ err }, 'mcp tool call refusal not audited');
    });
  }
  throw new McpError(ErrorCode.InvalidParams, why);
}

/** Handle one request on `/mcp`. */
export async function handleMcp(
  req: IncomingMessage,
  res: ServerResponse,
  deps: McpDeps,
): Promise<void> {
  if (req.method !== 'POST') {
    // No session to end and no stream of server messages to open: the endpoint is stateless.
    return sendRpcError(
      res,
      405,
      ErrorCode.ConnectionClosed,
      `${req.method} is not allowed: this MCP endpoint is stateless, POST only.`,
    );
  }
  const text = await readBody(req, deps.limits.maxBodyBytes);
  if (text === null) return sendTooLarge(res);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return sendRpcError(res, 400, ErrorCode.ParseError, 'Parse error: the body is not valid JSON.');
  }
  const server = new Server(serverInfo, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    const { tools } = await toolsFor(deps, extra.signal);
    return {
      tools: tools.map((t) => ({
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
      })),
    };
  });
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(deps, request.params.name, request.params.arguments ?? {}, extra.signal),
  );
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.once('close', () => void server.close());
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
