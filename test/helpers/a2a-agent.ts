// A stand-in external A2A agent for tests, built from the SDK's server pieces (the JSON-RPC
// transport handler over a request handler of our own, as src/a2a/server.ts does) on loopback.
// Every request needs the bearer token (401 otherwise); it records what it was asked and with
// which Authorization header, keeps each task `working` for one GetTask, then ends it as
// `answer(question)` says: completed with text (and any extra parts), or failed with a reason.
// `fault(body)` may answer an RPC instead with an HTTP error body or a JSON-RPC error (hostile text).
// `carrierSession` is the session fixture whose support agent holds the stand-in's token.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { A2A_VERSION_HEADER, AgentCard, TaskState, type Part, type Task } from '@a2a-js/sdk';
import { TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import {
  JsonRpcTransportHandler,
  ServerCallContext,
  type A2ARequestHandler,
} from '@a2a-js/sdk/server';
import { agentCard } from '../../src/a2a/card.ts';
import { agentMessage } from '../../src/a2a/tasks.ts';
import type { Config } from '../../src/config.ts';
import type { Agent } from '../../src/policy/schema.ts';
import { openVault } from '../../src/vault/open.ts';
import { sessionFixture, type SessionFixture } from './sessions.ts';

/** How the stand-in ends a task. */
export type FakeAnswer =
  | { state: 'completed'; text: string; extraParts?: Part[] }
  | { state: 'failed' | 'input-required'; text: string }
  /** Never ends: every GetTask answers `working`. */
  | { state: 'working' };

/** An answer to an RPC instead of the handler's: an HTTP error with a body, or a JSON-RPC error. */
export type FakeFault = { status: number; body: string } | { rpcError: string };

/** One question the stand-in received. */
export interface Received {
  question: string;
  authorization: string | undefined;
}

/** A running stand-in agent. */
export interface FakeA2AAgent {
  cardUrl: string;
  received: Received[];
  /** Authorization headers of every request, card fetches included. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

const states = {
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  'input-required': TaskState.TASK_STATE_INPUT_REQUIRED,
};

/** Start the stand-in on a free loopback port; it accepts only `token`. */
export async function startFakeA2AAgent(
  token: string,
  answer: (question: string) => FakeAnswer,
  /** Given each RPC's raw body: a fault to send instead of handling it (undefined: handle it). */
  fault: (body: string) => FakeFault | undefined = () => undefined,
): Promise<FakeA2AAgent> {
  const received: Received[] = [];
  const authorizations: (string | undefined)[] = [];
  const tasks = new Map<string, { task: Task; polls: number; end: FakeAnswer }>();
  let base = '';
  const card = () =>
    agentCard(
      {
        id: 'carrier',
        displayName: 'Carrier claims desk',
        description: 'Answers claims.',
      } as Agent,
      `${base}/rpc`,
    );
  const refuse = (what: string) => () => {
    throw new UnsupportedOperationError(`${what} is not supported`);
  };
  let request: IncomingMessage | undefined;
  const handler: A2ARequestHandler = {
    getAgentCard: () => Promise.resolve(card()),
    getAuthenticatedExtendedAgentCard: refuse('extended card'),
    sendMessageStream: refuse('streaming'),
    resubscribe: refuse('streaming'),
    cancelTask: refuse('cancel'),
    listTasks: refuse('list'),
    createTaskPushNotificationConfig: refuse('push'),
    getTaskPushNotificationConfig: refuse('push'),
    listTaskPushNotificationConfigs: refuse('push'),
    deleteTaskPushNotificationConfig: refuse('push'),
    sendMessage(params) {
      const question = (params.message?.parts ?? [])
        .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
        .join('\n');
      received.push({ question, authorization: request?.headers.authorization });
      const id = `task-${received.length}`;
      const task: Task = {
        id,
        contextId: `ctx-${id}`,
        status: {
          state: TaskState.TASK_STATE_WORKING,
          message: agentMessage(id, `ctx-${id}`, 'looking it up'),
          timestamp: new Date().toISOString(),
        },
        artifacts: [],
        history: [],
        metadata: undefined,
      };
      tasks.set(id, { task, polls: 0, end: answer(question) });
      return Promise.resolve(task);
    },
    getTask(params) {
      const entry = tasks.get(params.id);
      if (!entry) return Promise.reject(new TaskNotFoundError(`no task ${params.id}`));
      entry.polls++;
      const { task, end } = entry;
      if (entry.polls < 2 || end.state === 'working') return Promise.resolve(task);
      const message = agentMessage(task.id, task.contextId, end.text);
      return Promise.resolve({
        ...task,
        status: { state: states[end.state], message, timestamp: new Date().toISOString() },
        artifacts:
          end.state === 'completed'
            ? [
                {
                  artifactId: `${task.id}-a`,
                  name: 'answer',
                  description: '',
                  parts: [...message.parts, ...(end.extraParts ?? [])],
                  metadata: undefined,
                  extensions: [],
                },
              ]
            : [],
      });
    },
  };
  const rpc = new JsonRpcTransportHandler(handler);

  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'no' });
    if (req.method === 'GET' && req.url === '/.well-known/agent-card.json')
      return reply(200, AgentCard.toJSON(card()));
    if (req.method !== 'POST' || req.url !== '/rpc') return reply(404, { error: 'not found' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const failed = fault(raw);
      if (failed && 'status' in failed) {
        res.writeHead(failed.status, { 'content-type': 'text/plain' });
        return void res.end(failed.body);
      }
      if (failed) {
        const id = (JSON.parse(raw) as { id?: unknown }).id ?? null;
        return reply(200, {
          jsonrpc: '2.0',
          id,
          error: { code: -32000, message: failed.rpcError },
        });
      }
      request = req;
      const version = req.headers[A2A_VERSION_HEADER.toLowerCase()];
      const context = new ServerCallContext({
        requestedVersion: typeof version === 'string' ? version : '1.0',
      });
      rpc.handle(raw, context).then(
        (answer) => reply(200, answer),
        (err: unknown) => reply(500, { error: String(err) }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cardUrl: `${base}/.well-known/agent-card.json`,
    received,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Store the stand-in's bearer `token` as `carrier-token`, usable by `agent` on any loopback port. */
export async function putCarrierToken(config: Config, token: string, agent: string): Promise<void> {
  await openVault(config).put({
    name: 'carrier-token',
    kind: 'bearer',
    secret: token,
    scope: { hosts: ['127.0.0.1:*'], methods: ['GET', 'POST'], paths: ['/**'], agents: [agent] },
  });
}

/**
 * A session fixture with the policy edit `links`, the stand-in's bearer `token` stored for its
 * support agent, and its session worker running. A set-up that fails closes the fixture here.
 */
export async function carrierSession(
  links: (yaml: string) => string,
  token: string,
): Promise<SessionFixture> {
  const fx = await sessionFixture([], links);
  try {
    await putCarrierToken(fx.config, token, fx.support);
    await fx.startSessionWorker();
    return fx;
  } catch (err) {
    await fx.close();
    throw err;
  }
}
