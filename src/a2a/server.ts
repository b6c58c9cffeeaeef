// The A2A server: external A2A clients ask Airlock agents over JSON-RPC (A2A v1.0, and v0.3 through
// the SDK's compat handler, rpc.ts). Each agent a policy link `from: a2a:<client>` reaches has a
// public Agent Card at `/agents/<id>/.well-known/agent-card.json` and its JSON-RPC endpoint at
// `/agents/<id>`; the host's root card at `/.well-known/agent-card.json` names them all (card.ts).
// Cards, GET /healthz (alive) and /readyz (Temporal answers and the policy loads) need no token;
// every JSON-RPC request carries a client's bearer token (AIRLOCK_A2A_TOKENS), the client is
// `a2a:<client id>` to the policy, and its questions run as the same approval-gated exchanges
// agents use. Each client is rate-limited (429 with Retry-After) and has a cap on open tasks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { A2A_VERSION_HEADER, AgentCard } from '@a2a-js/sdk';
import { ServerCallContext } from '@a2a-js/sdk/server';
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
import { agentCard, cardPath, extendedAgentCard, rootCard } from './card.ts';
import { agentHandler } from './handler.ts';
import { answerRpc, parseErrorAnswer, parseRpc } from './rpc.ts';
import { isLegacy, legacyCard, requestedVersion } from './versions.ts';

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
    // Cards are public (the SDKs resolve them before they know which token to send).
    if (path === cardPath || /^\/agents\/[^/]+\/\.well-known\/agent-card\.json$/.test(path))
      return serveCard(req, res, path);
    const client = authenticate(clients, req.headers.authorization);
    if (!client) {
      res.setHeader('www-authenticate', 'Bearer realm="airlock-a2a"');
      return send(res, 401, { error: 'unauthorized' });
    }
    if (limited(res, client, requests.take(client))) return;
    const match = agentPath.exec(path);
    const policy = await options.policy();
    const agent = match?.[1] ? a2aAgents(policy).get(match[1]) : undefined;
    if (!match || !agent) return send(res, 404, { error: 'not_found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    const text = await readBody(req, config.AIRLOCK_WEBHOOK_MAX_BODY);
    if (text === null) return sendTooLarge(res);
    const rpc = parseRpc(text);
    if (!rpc) return send(res, 200, parseErrorAnswer());
    if (isSend(rpc.method) && limited(res, client, sends.take(client))) return;
    const url = `${base}/agents/${agent.id}`;
    const card = agentCard(agent, url);
    const link = (c: string) =>
      policy.set.links.find((l) => l.from === `a2a:${c}` && l.to === agent.id);
    const handler = agentHandler({
      client: options.client,
      config,
      agent: agent.id,
      card,
      extendedCard: (c) => extendedAgentCard(agent, url, link(c)),
      contexts,
      openTasks,
      ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
    });
    const version = requestedVersion(req);
    const context = new ServerCallContext({
      user: { isAuthenticated: true, userName: client },
      requestedVersion: version,
    });
    const answer = await answerRpc(rpc, card, handler, context);
    logger.info({ client, agent: agent.id, method: rpc.method, version }, 'a2a request');
    send(res, 200, answer);
  }

  /** A public card: the host's root card, or an agent's; v0.3-shaped for a v0.3 client. */
  async function serveCard(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
    const agents = a2aAgents(await options.policy());
    const id = agentPath.exec(path.slice(0, -cardPath.length))?.[1];
    const agent = id ? agents.get(id) : undefined;
    if (path !== cardPath && !agent) return send(res, 404, { error: 'not_found' });
    if (!agent && agents.size === 0) return send(res, 404, { error: 'no_agents' });
    const card = agent
      ? agentCard(agent, `${base}/agents/${agent.id}`)
      : rootCard([...agents.values()], base);
    const v1 = AgentCard.toJSON(card) as object;
    res.setHeader('vary', A2A_VERSION_HEADER);
    send(res, 200, isLegacy(requestedVersion(req)) ? legacyCard(card, v1) : v1);
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

const agentPath = /^\/agents\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

/** SendMessage in A2A v1.0 and v0.3 naming (the streaming variant is refused later anyway). */
const isSend = (method: string | undefined): boolean =>
  method === 'SendMessage' ||
  method === 'SendStreamingMessage' ||
  method === 'message/send' ||
  method === 'message/stream';
