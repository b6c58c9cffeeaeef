// The per-sandbox gateway: a host-side HTTP server on `<socketDir>/gateway.sock`, the only way out
// of a network-less sandbox. The directory (not the socket) is bind-mounted into that one
// container, so a restarted gateway's new socket is visible inside. The socket is the caller's
// identity: an instance is bound to one agent and one session and takes nothing the request says
// about who it is, and only the box's user may connect (restrictToBox). Routes: the model APIs
// (model-proxy.ts: chat completions, Responses, Anthropic Messages), actions, questions to other
// agents (ask.ts), fetch, the conversation endpoints (messages.ts: settings, inbox, turn reports,
// progress) and `/mcp`, all the agent's tools over MCP.
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { serverOptions } from '../http.ts';
import { handleAction } from './actions.ts';
import { handleAsk } from './ask.ts';
import { TokenBudget } from './budget.ts';
import { GatewayError, sendError } from './edge.ts';
import { handleFetch } from './fetch.ts';
import { handleMcp } from './mcp.ts';
import {
  handleAgent,
  handleInbox,
  handleMessage,
  handleTurnDone,
  ProgressCounter,
} from './messages.ts';
import { anthropicMessages } from './model-anthropic.ts';
import { chatCompletions } from './model-apis.ts';
import { modelEndpoint } from './model-proxy.ts';
import { responses } from './model-responses.ts';
import { SANDBOX_USER, type GatewayOptions } from './types.ts';

/** A running gateway. */
export interface Gateway {
  /** `<socketDir>/gateway.sock`. */
  socketPath: string;
  /** Tokens the session has used so far. */
  readonly tokensUsed: number;
  /** Requests being served now. */
  readonly inFlight: number;
  /** Stop serving: pending long-polls end, open connections close, the socket file goes. */
  close(): Promise<void>;
}

/** The socket file name inside a gateway directory. */
export const GATEWAY_SOCKET = 'gateway.sock';

/** `/v1/turns/<turn>/done`, the turn id URL-encoded. */
const turnDonePath = /^\/v1\/turns\/([^/]+)\/done$/;

/**
 * Give the gateway's directory or socket to the box's user alone. The socket is the caller's
 * identity, so only the box (and root, the worker here) may connect: the directory is the worker's
 * with the box's group allowed to pass through (0710; nobody else can list, add or replace a
 * socket in it), the socket is the box user's, 0600. A worker running as the box's user owns both.
 * A worker that is neither root nor the box user can only share the box's group (socket 0660);
 * outside that group it cannot hand the socket over and refuses to start rather than open it up.
 */
async function restrictToBox(path: string, kind: 'dir' | 'socket'): Promise<void> {
  const me = process.getuid?.() ?? -1;
  const { uid, gid } = SANDBOX_USER;
  const dir = kind === 'dir';
  const [owner, group, mode] =
    me === uid
      ? [uid, -1, dir ? 0o700 : 0o600]
      : me === 0
        ? [dir ? 0 : uid, gid, dir ? 0o710 : 0o600]
        : [me, gid, dir ? 0o710 : 0o660];
  try {
    if (me !== uid) await chown(path, owner, group);
  } catch (err) {
    throw new GatewayError(
      500,
      'gateway_socket_owner',
      `The gateway cannot give ${path} to the sandbox user ${uid}:${gid} (${(err as Error).message}); ` +
        `run the worker as root, as uid ${uid}, or as a member of group ${gid}.`,
    );
  }
  await chmod(path, mode);
}

/** Start a gateway for one agent in one session. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { agent, session, logger, limits } = options;
  const socketPath = join(options.socketDir, GATEWAY_SOCKET);
  const log = logger.child({ component: 'gateway', agent: agent.id, session: session.id });
  const budget = new TokenBudget(agent.tokenBudget, session.tokensUsed ?? 0);
  const closing = new AbortController();

  type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  const deps = { agent, limits, logger: log, sessionId: session.id };
  const currentTurn = (): string | null => options.inbox.current ?? null;
  const conversation = {
    ...deps,
    runner: options.runner,
    inbox: options.inbox,
    progress: new ProgressCounter(),
    closing: closing.signal,
    sendMessage: options.sendMessage,
  };
  const tools = {
    ...conversation,
    currentTurn,
    requestAction: options.requestAction,
    askAgent: options.askAgent,
    mcp: options.mcp,
    onMcpRefused: options.onMcpRefused,
  };
  const model = {
    ...deps,
    store: options.store,
    budget,
    onUsage: options.onUsage,
    onAnswer: options.onAnswer,
  };
  const routes: Record<string, Route> = {
    'POST /v1/chat/completions': (req, res) => modelEndpoint(chatCompletions)(req, res, model),
    'POST /v1/responses': (req, res) => modelEndpoint(responses)(req, res, model),
    // Not /v1/messages: that is the runner's progress messages (messages.ts). Anthropic clients
    // take the base URL `…/anthropic`.
    'POST /anthropic/v1/messages': (req, res) => modelEndpoint(anthropicMessages)(req, res, model),
    'POST /v1/actions': (req, res) =>
      handleAction(req, res, { ...deps, currentTurn, requestAction: options.requestAction }),
    'POST /v1/ask': (req, res) =>
      handleAsk(req, res, { ...deps, currentTurn, askAgent: options.askAgent }),
    'POST /v1/fetch': (req, res) => handleFetch(req, res, deps),
    'POST /v1/messages': (req, res) => handleMessage(req, res, conversation),
    'GET /v1/inbox': (req, res, url) => handleInbox(req, res, url, conversation),
    'GET /v1/agent': (_req, res) => handleAgent(res, conversation),
    'POST /mcp': (req, res) => handleMcp(req, res, tools),
    'GET /mcp': (req, res) => handleMcp(req, res, tools),
    'DELETE /mcp': (req, res) => handleMcp(req, res, tools),
  };
  // The one route with a parameter: the turn id, URL-encoded by the runner.
  const turnDone: Route = async (req, res, url) => {
    let turn: string;
    try {
      turn = decodeURIComponent(turnDonePath.exec(url.pathname)?.[1] ?? '');
    } catch {
      throw new GatewayError(400, 'invalid_request', 'The turn id in the path is malformed.');
    }
    return handleTurnDone(req, res, conversation, turn);
  };
  const routeOf = (method: string | undefined, path: string): Route => {
    const fixed = routes[`${method} ${path}`];
    if (fixed) return fixed;
    const isTurnDone = turnDonePath.test(path);
    if (isTurnDone && method === 'POST') return turnDone;
    const known = isTurnDone || Object.keys(routes).some((k) => k.endsWith(` ${path}`));
    const refusal = known
      ? new GatewayError(405, 'method_not_allowed', `${method} is not allowed on ${path}.`)
      : new GatewayError(404, 'not_found', `No such endpoint: ${method} ${path}.`);
    return () => Promise.reject(refusal);
  };

  // Each request holds up to a body and an answer buffer: the count bounds what one box can pin.
  let inFlight = 0;
  const server = createServer(serverOptions(), (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (inFlight >= limits.maxInFlight) {
      log.warn({ path: url.pathname, inFlight }, 'gateway busy');
      return sendError(
        res,
        new GatewayError(
          429,
          'too_many_requests',
          `This gateway already serves ${inFlight} requests, its limit; retry when one is done.`,
        ),
      );
    }
    inFlight++;
    res.once('close', () => inFlight--);
    routeOf(req.method, url.pathname)(req, res, url).catch((err: unknown) => {
      if (err instanceof GatewayError) {
        log.warn({ path: url.pathname, status: err.status, code: err.code }, 'gateway refused');
        return sendError(res, err);
      }
      log.error({ err }, 'gateway request failed');
      sendError(res, new GatewayError(500, 'internal_error', 'The gateway failed; see its log.'));
    });
  });

  await mkdir(options.socketDir, { recursive: true });
  // The directory is closed before the socket exists, so it is never reachable by others.
  await restrictToBox(options.socketDir, 'dir');
  // A previous gateway for this sandbox may have left its socket behind.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await restrictToBox(socketPath, 'socket');
  log.info({ socketPath }, 'gateway listening');

  return {
    socketPath,
    get tokensUsed() {
      return budget.total;
    },
    get inFlight() {
      return inFlight;
    },
    async close() {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(socketPath, { force: true });
      log.info('gateway closed');
    },
  };
}
