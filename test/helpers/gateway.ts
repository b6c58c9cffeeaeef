// Fixtures for gateway tests: a real encrypted vault holding a canary model key, the stand-in
// model as the upstream (it accepts only that key), a gateway on a unix socket in a fresh
// directory with a captured logger (and reopened on the same directory, as a new worker would),
// and an HTTP client over the socket as the agent runner uses it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startModelStandin,
  type ModelStandin,
  type ScriptStep,
} from '../../src/dev/model-standin.ts';
import type { ModelAnswer } from '../../src/gateway/answer-text.ts';
import { createMemoryInbox, type MemoryInbox, type TurnInbox } from '../../src/gateway/inbox.ts';
import { createGateway, type Gateway } from '../../src/gateway/server.ts';
import type {
  ActionOutcome,
  ActionRequest,
  AskOutcome,
  AskRequest,
  GatewayAgent,
  GatewayLimits,
  GatewayOptions,
  ProgressMessage,
  RunnerSettings,
} from '../../src/gateway/types.ts';
import type { McpHub } from '../../src/mcp/types.ts';
import { captureLogger } from './log.ts';
import { FileCredentialStore } from '../../src/vault/file-store.ts';

/** A key no real service knows, so any leak of it is visible in a scan. */
export const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;
/** What the agent inside the box sends instead of a key. */
export const PLACEHOLDER = 'sk-placeholder-from-the-box';

/** Limits small enough to test. */
export const testLimits: GatewayLimits = {
  maxBodyBytes: 64 * 1024,
  modelTimeoutMs: 10_000,
  fetchTimeoutMs: 2_000,
  fetchMaxBytes: 4096,
  inboxMaxWaitMs: 5_000,
  maxInFlight: 16,
  maxModelResponseBytes: 1024 * 1024,
};

/** A running gateway with everything around it. */
export interface GatewayFixture {
  gateway: Gateway;
  model: ModelStandin;
  agent: GatewayAgent;
  /** What `GET /v1/agent` serves. */
  runner: RunnerSettings;
  inbox: MemoryInbox;
  /** Every model answer the gateway recorded for the turn (null: a call began or was refused). */
  answers: (ModelAnswer | null)[];
  /** Every action request, question and message the gateway handed on. */
  actions: ActionRequest[];
  asks: AskRequest[];
  messages: ProgressMessage[];
  /** What the fake requestAction answers next. */
  nextOutcome: ActionOutcome | Error;
  /** What the fake askAgent answers next. */
  nextAsk: AskOutcome | Error;
  /** When set, the next sendMessage fails with it (once). */
  nextMessageError?: Error;
  /** Everything the gateway logged, as text. */
  logText(): string;
  /** Close the gateway (if open) and start a new one on the same directory with a new inbox, as a new worker would. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** An agent whose model calls go to `baseUrl` (the stand-in's standin-1) with the vault's `model-key`. */
export function modelAgent(id: string, baseUrl: string): GatewayAgent {
  return {
    id,
    sensitivity: 'action',
    modelEndpoint: baseUrl,
    models: ['standin-1'],
    apiKeyCredential: 'model-key',
    webHosts: [],
  };
}

/** A fresh encrypted vault at `path` holding `secret` as `model-key`, for `agentId`'s model calls only. */
export async function modelKeyVault(
  path: string,
  agentId: string,
  secret: string,
): Promise<FileCredentialStore> {
  const store = new FileCredentialStore({ path, keys: { active: randomBytes(32) } });
  await store.put({
    name: 'model-key',
    kind: 'bearer',
    scope: { hosts: ['127.0.0.1'], methods: ['POST'], paths: ['/v1/**'], agents: [agentId] },
    secret,
  });
  return store;
}

/** Start a gateway for `agent` (defaults: an action agent allowed `standin-1`, no budget). */
export async function startGatewayFixture(
  options: {
    agent?: Partial<GatewayAgent>;
    runner?: Partial<RunnerSettings>;
    /** Wrap the memory inbox the gateway is given (to hold a batch between the queue and the socket). */
    wrapInbox?: (inbox: MemoryInbox) => TurnInbox;
    script?: ScriptStep[];
    limits?: Partial<GatewayLimits>;
    tokensUsed?: number;
    /** The stand-in's characters per streamed content chunk. */
    chunkChars?: number;
    /** The MCP hub the gateway lists the agent's granted MCP tools through. */
    mcp?: McpHub;
    /** Answer action requests (after recording them) instead of `nextOutcome`. */
    requestAction?: (request: ActionRequest) => Promise<ActionOutcome>;
    /** Audit the tool calls `/mcp` refuses. */
    onMcpRefused?: GatewayOptions['onMcpRefused'];
  } = {},
): Promise<GatewayFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-gw-'));
  const cleanups: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const close = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const model = await startModelStandin({
      apiKey: CANARY,
      script: options.script ?? [],
      chunkChars: options.chunkChars,
    });
    cleanups.push(() => model.close());
    const agent: GatewayAgent = { ...modelAgent('support', model.baseUrl), ...options.agent };
    const store = await modelKeyVault(join(dir, 'vault', 'vault.json'), agent.id, CANARY);
    const log = captureLogger('debug');
    const sessionId = 'session:support:t1';
    const runner: RunnerSettings = {
      id: agent.id,
      instructions: 'You help with parcels.',
      model: 'standin-1',
      sensitivity: agent.sensitivity,
      maxSteps: 20,
      firstStepToolChoice: 'auto',
      capabilityTools: [],
      sessionId,
      mayAsk: [],
      ...options.runner,
    };
    const fixture: GatewayFixture = {
      gateway: undefined as unknown as Gateway,
      model,
      agent,
      runner,
      inbox: createMemoryInbox(),
      answers: [],
      actions: [],
      asks: [],
      messages: [],
      nextOutcome: { status: 'pending', id: 'action:1' },
      nextAsk: { status: 'pending', id: 'exchange:1' },
      logText: log.text,
      reopen: async () => {
        await fixture.gateway.close();
        fixture.inbox = createMemoryInbox();
        fixture.gateway = await createGateway(gatewayOptions());
      },
      close,
    };
    const gatewayOptions = (): GatewayOptions => ({
      socketDir: join(dir, 'socket'),
      agent,
      runner,
      session: { id: sessionId, tokensUsed: options.tokensUsed ?? 0 },
      store,
      logger: log.logger,
      limits: { ...testLimits, ...options.limits },
      requestAction: (r) => {
        fixture.actions.push(r);
        if (options.requestAction) return options.requestAction(r);
        const o = fixture.nextOutcome;
        return o instanceof Error ? Promise.reject(o) : Promise.resolve(o);
      },
      askAgent: (r) => {
        fixture.asks.push(r);
        const o = fixture.nextAsk;
        return o instanceof Error ? Promise.reject(o) : Promise.resolve(o);
      },
      sendMessage: (m) => {
        const failure = fixture.nextMessageError;
        fixture.nextMessageError = undefined;
        if (failure) return Promise.reject(failure);
        fixture.messages.push(m);
        return Promise.resolve();
      },
      inbox: options.wrapInbox ? options.wrapInbox(fixture.inbox) : fixture.inbox,
      onAnswer: (a) => fixture.answers.push(a),
      mcp: options.mcp,
      ...(options.onMcpRefused ? { onMcpRefused: options.onMcpRefused } : {}),
    });
    fixture.gateway = await createGateway(gatewayOptions());
    cleanups.push(() => fixture.gateway.close());
    return fixture;
  } catch (err) {
    await close();
    throw err;
  }
}

/** An answer read whole. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: () => Record<string, unknown>;
}

/** Send one request over the gateway socket and read the whole answer (bounded by `timeoutMs`). */
export function call(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${PLACEHOLDER}`,
          ...headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from ${path} within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Start a request and hand back the response as it begins (for reading a stream piece by piece). */
export function open(socketPath: string, path: string, body: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PLACEHOLDER}` },
        timeout: 10_000,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Reads server-sent events as a client does: `data:` payloads, one per event, as they arrive. */
export class SseReader {
  private buffer = '';
  private readonly events: string[] = [];
  private readonly iterator: AsyncIterator<Buffer>;
  /** Every raw byte received, as text. */
  raw = '';

  constructor(res: IncomingMessage) {
    this.iterator = (res as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next event's data, or undefined at the end of the stream; fails after `ms`. */
  async next(ms = 5_000): Promise<string | undefined> {
    const deadline = Date.now() + ms;
    while (this.events.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE event within ${ms} ms`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.iterator.next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no SSE event within ${ms} ms`)), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) return undefined;
      const text = chunk.value.toString('utf8');
      this.raw += text;
      this.buffer += text.replaceAll('\r\n', '\n');
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        const event = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data) this.events.push(data);
      }
    }
    return this.events.shift();
  }

  /** Every remaining event's data until the stream ends. */
  async rest(ms = 5_000): Promise<string[]> {
    const out: string[] = [];
    for (let e = await this.next(ms); e !== undefined; e = await this.next(ms)) out.push(e);
    return out;
  }
}

/** A promise with its resolve function, to hold the stand-in's stream open until a test says so. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
