// The A2A server: external A2A clients ask Airlock agents over JSON-RPC (A2A v1.0). Each agent a
// policy link `from: a2a:<client>` reaches has an Agent Card at
// `/agents/<id>/.well-known/agent-card.json` and its JSON-RPC endpoint at `/agents/<id>`. Every
// request carries a client's bearer token (AIRLOCK_A2A_TOKENS); the client is `a2a:<client id>`
// to the policy, and its questions run as the same approval-gated exchanges agents use.
// GET /healthz (alive) and /readyz (Temporal answers and the policy loads) need no token. Each
// client is rate-limited (429 with Retry-After) and has a cap on open tasks (limits.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { A2A_VERSION_HEADER, AgentCard } from '@a2a-js/sdk';
import { JsonRpcTransportHandler, ServerCallContext, validateVersion } from '@a2a-js/sdk/server';
import type { Client } from '@temporalio/client';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import { readBody, send, sendTooLarge, serverOptions } from '../http.ts';
import { probeTemporal } from '../temporal/reachability.ts';
import type { Logger } from '../log.ts';
import type { LoadedPolicy } from '../policy/types.ts';
import { parseA2ATokens } from '../config/a2a-tokens.ts';
import { authenticate } from './clients.ts';
import { contextIds } from './contexts.ts';
import { defaultA2ALimits, OpenTasks, RateLimiter, type A2ALimits } from './limits.ts';
import { agentCard } from './card.ts';
import { agentHandler } from './handler.ts';

/** What the A2A server needs. */
export interface A2AServerOptions {
  config: Pick<
    Config,
    | 'TEMPORAL_TASK_QUEUE'
    | 'AIRLOCK_A2A_TOKENS'
    | 'AIRLOCK_A2A_PUBLIC_URL'
    | 'AIRLOCK_WEBHOOK_MAX_BODY'
  >;
  client: Client;
  policy: () => Promise<LoadedPolicy>;
  logger: Logger;
  /** How long SendMessage waits for a refusal before answering `submitted` (ms). */
  settleMs?: number;
  /** Per-client rate limits and open-task cap; `defaultA2ALimits` for what is not given. */
  limits?: Partial<A2ALimits>;
}

/** A running A2A server. */
export interface A2AServer {
  /** The base URL it serves (Agent Cards name it). */
  url: string;
  close(): Promise<void>;
}

/** The agents external clients may be sent to: those some `a2a:` link reaches. */
export function a2aAgents(
  policy: LoadedPolicy,
): Map<string, LoadedPolicy['set']['agents'][number]> {
  const reached = new Set(
    policy.set.links.filter((l) => l.from.startsWith('a2a:')).map((l) => l.to),
  );
  return new Map(policy.set.agents.filter((a) => reached.has(a.id)).map((a) => [a.id, a]));
}

/** Start the A2A server on `port` (0: a free one) at `host`. */
export async function startA2AServer(
  options: A2AServerOptions,
  port: number,
  host = '127.0.0.1',
): Promise<A2AServer> {
  const { config, logger } = options;
  if (!config.AIRLOCK_A2A_TOKENS)
    throw new AirlockError(
      'a2a_no_clients',
      'AIRLOCK_A2A_TOKENS names no client: set client=token pairs before starting the A2A server',
    );
  const clients = parseA2ATokens(config.AIRLOCK_A2A_TOKENS);
  const limits = { ...defaultA2ALimits, ...options.limits };
  const requests = new RateLimiter(limits.requestsPerMinute, limits.requestBurst);
  const sends = new RateLimiter(limits.sendsPerMinute, limits.sendBurst);
  const contexts = contextIds(clients);
  const openTasks = new OpenTasks(options.client, limits.maxOpenTasks);
  let base = '';
  const server: Server = createServer(serverOptions(), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'a2a server failed');
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') {
      const { status, body } = await readiness();
      return send(res, status, body);
    }
    const client = authenticate(clients, req.headers.authorization);
    if (!client) {
      res.setHeader('www-authenticate', 'Bearer realm="airlock-a2a"');
      return send(res, 401, { error: 'unauthorized' });
    }
    if (limited(res, client, requests.take(client))) return;
    const match =
      /^\/agents\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})(\/\.well-known\/agent-card\.json)?$/.exec(path);
    const agent = match?.[1] ? a2aAgents(await options.policy()).get(match[1]) : undefined;
    if (!match || !agent) return send(res, 404, { error: 'not_found' });
    const card = agentCard(agent, `${base}/agents/${agent.id}`);
    if (match[2]) {
      if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
      return send(res, 200, AgentCard.toJSON(card) as object);
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    const body = await readBody(req, config.AIRLOCK_WEBHOOK_MAX_BODY);
    if (body === null) return sendTooLarge(res);
    const method = rpcMethod(body);
    if (isSend(method) && limited(res, client, sends.take(client))) return;
    const context = new ServerCallContext({
      user: { isAuthenticated: true, userName: client },
      requestedVersion: header(req, A2A_VERSION_HEADER) ?? '0.3',
    });
    const rpc = new JsonRpcTransportHandler(
      agentHandler({
        client: options.client,
        config,
        agent: agent.id,
        card,
        contexts,
        openTasks,
        ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
      }),
    );
    let answer: unknown;
    try {
      validateVersion(context.requestedVersion, card, 'JSONRPC');
      answer = await rpc.handle(body, context);
    } catch (err) {
      answer = { jsonrpc: '2.0', id: null, error: JsonRpcTransportHandler.mapToJSONRPCError(err) };
    }
    // Streaming is refused by the handler, so every answer is one JSON-RPC response.
    logger.info({ client, agent: agent.id, method }, 'a2a request');
    send(res, 200, answer as object);
  }

  /** Answer 429 with Retry-After when `waitMs` > 0 (the client's bucket is empty). */
  function limited(res: ServerResponse, client: string, waitMs: number): boolean {
    if (waitMs <= 0) return false;
    logger.warn({ client, waitMs }, 'a2a client rate-limited');
    res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
    send(res, 429, {
      error: 'rate_limited',
      message: `too many requests from ${client}; retry in ${Math.ceil(waitMs / 1000)} s`,
    });
    return true;
  }

  /** Ready: Temporal answers (every task is a workflow) and the policy loads (it names agents). */
  async function readiness(): Promise<{ status: number; body: object }> {
    const [temporal, policy] = await Promise.all([
      probeTemporal(options.client),
      options.policy().then(
        () => 'loaded',
        () => 'not loadable',
      ),
    ]);
    const ready = temporal === 'reachable' && policy === 'loaded';
    const body = { status: ready ? 'ready' : 'not ready', temporal, policy };
    return { status: ready ? 200 : 503, body };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  base = (options.config.AIRLOCK_A2A_PUBLIC_URL ?? `http://${host}:${address.port}`).replace(
    /\/+$/,
    '',
  );
  logger.info({ url: base, clients: clients.map((c) => c.id) }, 'a2a server listening');
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** SendMessage in A2A v1.0 and v0.3 naming (the streaming variant is refused later anyway). */
const isSend = (method: string | undefined): boolean =>
  method === 'SendMessage' ||
  method === 'SendStreamingMessage' ||
  method === 'message/send' ||
  method === 'message/stream';

function rpcMethod(body: string): string | undefined {
  try {
    return String((JSON.parse(body) as { method?: unknown }).method);
  } catch {
    return undefined;
  }
}
