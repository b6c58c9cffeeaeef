// The stand-in model's answers as OpenAI's chat-completions API sends them: a whole
// `chat.completion`, or `chat.completion.chunk` server-sent events (content in pieces, tool calls
// by index, usage last), so SDK clients parse them as they would the real API's. The other two
// protocols (model-wire-responses.ts, model-wire-anthropic.ts) answer the same steps.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** A tool call a step answers with; `arguments` is sent as the JSON string OpenAI sends. */
export interface StandinToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown> | string;
}

/** What a scripted step answers (model-standin.ts matches the step; this sends the answer). */
export interface StandinAnswer {
  /** The assistant's text. */
  text?: string;
  toolCalls?: StandinToolCall[];
  /** Token counts to report; estimated from the text (4 characters a token) when absent. */
  usage?: { prompt: number; completion: number };
  /** Streaming only: awaited after the first chunk is sent, so a test can watch the stream. */
  holdAfterFirstChunk?: Promise<unknown>;
}

/** Token counts as the API reports them. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The usage a step reports: its own counts, else estimated at 4 characters a token. */
export function usageOf(step: StandinAnswer, requestText: string): Usage {
  const answer = (step.text ?? '') + JSON.stringify(step.toolCalls ?? []);
  const prompt = step.usage?.prompt ?? Math.ceil(requestText.length / 4);
  const completion = step.usage?.completion ?? Math.ceil(answer.length / 4);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** A chat message as the client sent it (only the fields matching looks at are typed). */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  [k: string]: unknown;
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

/** A step's tool calls with their ids (given, or made up as OpenAI's) and arguments as JSON text. */
export function callsOf(step: StandinAnswer): { id: string; name: string; args: string }[] {
  return (step.toolCalls ?? []).map((c) => ({
    id: c.id ?? `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    name: c.name,
    args: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
  }));
}

/** A whole `chat.completion` answering with `step`. */
export function completion(model: string, step: StandinAnswer, usage: Usage): object {
  const calls = callsOf(step);
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: step.text ?? null,
    refusal: null,
  };
  if (calls.length > 0) {
    message['tool_calls'] = calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.args },
    }));
  }
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage,
  };
}

/** Begin a server-sent event stream. */
export function startEvents(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

// Streams as OpenAI does: a first delta with the role, content in pieces, each tool call opened
// with its id, type and name and its arguments in later deltas (by `index`), a last delta with
// the finish reason, then (with include_usage) a chunk with empty choices and the usage, then
// `data: [DONE]`. With include_usage every other chunk carries `usage: null`.
export async function stream(
  res: ServerResponse,
  model: string,
  step: StandinAnswer,
  usage: Usage,
  how: { includeUsage: boolean; chunkChars: number },
): Promise<void> {
  const { includeUsage, chunkChars: size } = how;
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  startEvents(res);
  let sent = 0;
  const send = async (delta: object, finish: string | null): Promise<void> => {
    const chunk: Record<string, unknown> = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (includeUsage) chunk['usage'] = null;
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    sent += 1;
    if (sent === 1 && step.holdAfterFirstChunk) await step.holdAfterFirstChunk;
  };
  await send({ role: 'assistant', content: '', refusal: null }, null);
  const text = step.text ?? '';
  for (let i = 0; i < text.length; i += size)
    await send({ content: text.slice(i, i + size) }, null);
  const calls = callsOf(step);
  for (const [index, c] of calls.entries()) {
    await send(
      {
        tool_calls: [
          { index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } },
        ],
      },
      null,
    );
    for (let i = 0; i < c.args.length; i += size)
      await send(
        { tool_calls: [{ index, function: { arguments: c.args.slice(i, i + size) } }] },
        null,
      );
  }
  await send({}, calls.length > 0 ? 'tool_calls' : 'stop');
  if (includeUsage) {
    const last = { id, object: 'chat.completion.chunk', created, model, choices: [], usage };
    res.write(`data: ${JSON.stringify(last)}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}
