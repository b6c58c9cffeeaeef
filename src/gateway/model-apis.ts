// The model wire protocols the gateway proxies, each described once: its route, its path upstream,
// its request allow-list, what the gateway changes before sending, how the key goes upstream, how
// its answers are read (text, tool calls, usage) and how a refusal is shaped for its clients. The
// proxy (model-proxy.ts) is one path for all of them; model-responses.ts and model-anthropic.ts
// hold the other two protocols' parts. Which of them an agent's endpoint takes: `model.apis`.
import type { z } from 'zod';
import type { ModelApiName } from '../policy/agent-schema.ts';
import type { ResolvedCredential } from '../vault/egress.ts';
import { AnswerText, type ModelAnswer } from './answer-text.ts';
import { errorBody, type GatewayError } from './edge.ts';
import { completionRequest } from './model-request.ts';
import { usageIn } from './sse.ts';

/** Reads one answer, streamed (line by line) or whole: its text, tool calls and tokens used. */
export interface WireReader {
  /** One SSE line of a streamed answer. */
  line(line: string): void;
  /** A whole JSON answer. */
  json(body: string): void;
  /** The tokens the answer reports (prompt + completion), if it did. */
  readonly tokens: number | undefined;
  readonly answer: ModelAnswer;
}

/** What the proxy reads of every protocol's request. */
export interface ModelRequest {
  model: string;
  stream?: boolean | null;
}

/** One wire protocol as the proxy needs it. */
export interface ModelApi<S extends z.ZodType<ModelRequest> = z.ZodType<ModelRequest>> {
  name: ModelApiName;
  /** What it is called in messages. */
  title: string;
  /** Appended to the agent's endpoint (its `…/v1` base URL). */
  upstreamPath: string;
  /** The request allow-list. */
  schema: S;
  /** What the gateway changes in the validated body before it leaves (in place). */
  prepare(body: z.infer<S>): void;
  /** Headers the protocol needs upstream besides the key (the box's own are never sent). */
  headers: Record<string, string>;
  /** How the key is presented upstream. */
  credential(found: ResolvedCredential): ResolvedCredential;
  reader(): WireReader;
  /** A refusal as the protocol's clients read it. */
  errorBody(err: GatewayError): object;
  /** A refusal as a stream's last event (a stream cut at the answer cap). */
  streamError(err: GatewayError): string;
}

/** The body of an SSE `data:` line as an object, if it is one. */
export function sseData(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('data:')) return undefined;
  return jsonObject(line.slice(5).trim());
}

/** `text` parsed as a JSON object, if it is one. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A number field, if it is one. */
export const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

class ChatReader implements WireReader {
  private readonly text = new AnswerText();
  tokens: number | undefined;

  line(line: string): void {
    this.tokens = usageIn(line) ?? this.tokens;
    this.text.line(line);
  }

  json(body: string): void {
    this.tokens = usageIn(body);
    this.text.json(body);
  }

  get answer(): ModelAnswer {
    return this.text.answer;
  }
}

/** OpenAI chat completions (`POST /v1/chat/completions`), what every agent's endpoint takes by default. */
export const chatCompletions: ModelApi<typeof completionRequest> = {
  name: 'chat-completions',
  title: 'the OpenAI chat-completions API',
  upstreamPath: '/chat/completions',
  schema: completionRequest,
  prepare: (body) => {
    // Streams must report usage to be counted: ask for it (clients ignore the extra usage chunk).
    if (body.stream === true) body.stream_options = { ...body.stream_options, include_usage: true };
  },
  headers: {},
  credential: (found) => found,
  reader: () => new ChatReader(),
  errorBody,
  streamError: (err) => `\ndata: ${JSON.stringify(errorBody(err))}\n\n`,
};
