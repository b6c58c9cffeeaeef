// A scripted stand-in for an OpenAI-compatible model server (no language model ships in an npm
// package): it speaks the chat-completions wire protocol (`POST /v1/chat/completions`, streaming as
// server-sent `chat.completion.chunk` events, tool calls, usage) and `GET /v1/models`, answers by
// following a per-test script of steps matched against the conversation, and records every request
// so tests can assert what arrived (the key, the messages). Tests and the offline demo use it.
// The answers' wire format is model-wire.ts's.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completion, stream, usageOf, type StandinAnswer } from './model-wire.ts';

/** One scripted answer: matched against the conversation so far, used at most once unless `reusable`. */
export interface ScriptStep extends StandinAnswer {
  /** Named in errors and in `used`. */
  name?: string;
  /** Matches when the last message is from the user and its text contains this. */
  afterUser?: string;
  /** Matches when the last message is the tool result for this tool call id. */
  afterToolResult?: string;
  /** Any other condition on the messages; all given conditions must hold. */
  when?: (messages: ChatMessage[]) => boolean;
  /** Usable again and again (the offline demo's steps); others are used at most once. */
  reusable?: boolean;
}

/** A chat message as the client sent it (only the fields matching looks at are typed). */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  [k: string]: unknown;
}

/** A request as the stand-in received it. */
export interface StandinRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET or unparsable bodies). */
  body: Record<string, unknown> | undefined;
}

/** Options for `startModelStandin`. */
export interface ModelStandinOptions {
  script?: ScriptStep[];
  /** Model ids served (listed by /v1/models; others get 404). Default `['standin-1']`. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401 like the real API. */
  apiKey?: string;
  /** Characters per streamed content chunk (default 8). */
  chunkChars?: number;
  /** The port on 127.0.0.1 (default: any free port). */
  port?: number;
}

/** A running stand-in; `baseUrl` ends in `/v1` like an OpenAI base URL. */
export interface ModelStandin {
  baseUrl: string;
  requests: StandinRequest[];
  /** Names (or indexes) of the steps used so far, in order. */
  used: string[];
  /** Replace the script (steps already used are forgotten). */
  setScript(steps: ScriptStep[]): void;
  close(): Promise<void>;
}

/** Start the stand-in on 127.0.0.1 (random port). */
export async function startModelStandin(options: ModelStandinOptions = {}): Promise<ModelStandin> {
  const models = options.models ?? ['standin-1'];
  let script = [...(options.script ?? [])];
  let spent = new Set<number>();
  const requests: StandinRequest[] = [];
  const used: string[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = parseObject(text);
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`)
        return fail(res, 401, 'invalid_api_key', 'Incorrect API key provided.');
      if (req.method === 'GET' && path === '/v1/models') {
        return json(res, 200, {
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'airlock' })),
        });
      }
      if (req.method !== 'POST' || path !== '/v1/chat/completions')
        return fail(res, 404, 'unknown_url', `Unknown request URL: ${req.method} ${path}.`);
      if (!body) return fail(res, 400, 'invalid_json', 'The body is not a JSON object.');
      const model = body['model'];
      const messages = body['messages'];
      if (typeof model !== 'string' || !Array.isArray(messages) || messages.length === 0)
        return fail(res, 400, 'invalid_request', 'model and a non-empty messages list required.');
      if (!models.includes(model))
        return fail(res, 404, 'model_not_found', `The model \`${model}\` does not exist.`);
      const conversation = messages as ChatMessage[];
      const index = script.findIndex((s, i) => !spent.has(i) && matches(s, conversation));
      const step = script[index];
      if (!step) {
        return fail(
          res,
          400,
          'no_script_step',
          `stand-in model: no unused script step matches a conversation ending with ${describe(conversation.at(-1))}`,
        );
      }
      if (!step.reusable) spent.add(index);
      used.push(step.name ?? String(index));
      const usage = usageOf(step, text);
      const streamOptions = body['stream_options'] as { include_usage?: unknown } | undefined;
      if (body['stream'] === true)
        stream(res, model, step, usage, {
          includeUsage: streamOptions?.include_usage === true,
          chunkChars: options.chunkChars ?? 8,
        }).catch(() => res.destroy());
      else json(res, 200, completion(model, step, usage));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    used,
    setScript: (steps) => {
      script = [...steps];
      spent = new Set();
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function matches(step: ScriptStep, messages: ChatMessage[]): boolean {
  const last = messages.at(-1);
  if (step.afterUser !== undefined) {
    if (last?.role !== 'user' || !textOf(last.content).includes(step.afterUser)) return false;
  }
  if (step.afterToolResult !== undefined) {
    if (last?.role !== 'tool' || last.tool_call_id !== step.afterToolResult) return false;
  }
  return step.when ? step.when(messages) : true;
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (typeof p === 'object' && p !== null ? (p as { text?: unknown }).text : undefined))
    .filter((t): t is string => typeof t === 'string')
    .join('');
}

function describe(m: ChatMessage | undefined): string {
  if (!m) return 'nothing';
  if (m.role === 'tool') return `a tool result for ${String(m.tool_call_id)}`;
  return `a ${m.role} message ${JSON.stringify(textOf(m.content).slice(0, 80))}`;
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

// The error shape of the OpenAI API: `{ error: { message, type, param, code } }`.
function fail(res: ServerResponse, status: number, code: string, message: string): void {
  const type = status === 401 ? 'authentication_error' : 'invalid_request_error';
  json(res, status, { error: { message, type, param: null, code } });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
