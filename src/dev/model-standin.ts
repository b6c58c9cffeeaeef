// A scripted stand-in for a model server (no language model ships in an npm package): it speaks
// OpenAI chat completions and Responses and Anthropic Messages (model-protocols.ts), streamed or
// not, with tool calls and usage, answering by a per-test script of steps matched against the
// conversation (read as chat messages whatever the protocol, so one script drives any client), and
// records every request so tests can assert what arrived. Tests and the offline demo use it.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatProtocol, json, standinProtocols } from './model-protocols.ts';
import { textOf, usageOf, type ChatMessage, type StandinAnswer } from './model-wire.ts';

export { textOf, type ChatMessage };

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
  /** When set, requests without it (`Authorization: Bearer <apiKey>`; Anthropic's: `x-api-key`) get 401 like the real APIs. */
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
      // Errors of no protocol in particular take OpenAI's shape.
      const protocol = standinProtocols.find((p) => p.path === path) ?? chatProtocol;
      const fail = (status: number, code: string, message: string): void =>
        protocol.fail(res, { status, code, message });
      const refused = protocol.refuse(req.headers, options.apiKey);
      if (refused) return protocol.fail(res, refused);
      if (req.method === 'GET' && path === '/v1/models') {
        return json(res, 200, {
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'airlock' })),
        });
      }
      if (req.method !== 'POST' || protocol.path !== path)
        return fail(404, 'unknown_url', `Unknown request URL: ${req.method} ${path}.`);
      if (!body) return fail(400, 'invalid_json', 'The body is not a JSON object.');
      const model = body['model'];
      const conversation = protocol.conversation(body);
      if (typeof conversation === 'string') return fail(400, 'invalid_request', conversation);
      if (typeof model !== 'string') return fail(400, 'invalid_request', 'model required.');
      if (!models.includes(model))
        return fail(404, 'model_not_found', `The model \`${model}\` does not exist.`);
      const index = script.findIndex((s, i) => !spent.has(i) && matches(s, conversation));
      const step = script[index];
      if (!step) {
        return fail(
          400,
          'no_script_step',
          `stand-in model: no unused script step matches a conversation ending with ${describe(conversation.at(-1))}`,
        );
      }
      if (!step.reusable) spent.add(index);
      used.push(step.name ?? String(index));
      const usage = usageOf(step, text);
      const chunkChars = options.chunkChars ?? 8;
      Promise.resolve(protocol.answer(res, step, usage, { model, body, chunkChars })).catch(() =>
        res.destroy(),
      );
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

function describe(m: ChatMessage | undefined): string {
  if (!m) return 'nothing';
  if (m.role === 'tool') return `a tool result for ${String(m.tool_call_id)}`;
  return `a ${m.role} message ${JSON.stringify(textOf(m.content).slice(0, 80))}`;
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
