// The three wire protocols the stand-in model speaks, side by side: where each is served, how it
// carries the key (`Authorization: Bearer` for OpenAI's two, `x-api-key` plus a required
// `anthropic-version` for Anthropic's), how its request reads as chat messages (so one script
// drives any client), how it answers a step, whole or streamed, and the shape of its errors.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  completion,
  stream,
  type ChatMessage,
  type StandinAnswer,
  type Usage,
} from './model-wire.ts';
import { anthropicConversation, anthropicJson, anthropicStream } from './model-wire-anthropic.ts';
import { responsesConversation, responsesJson, responsesStream } from './model-wire-responses.ts';

/** One protocol as the stand-in serves it. */
export interface StandinProtocol {
  /** The route, `POST` only. */
  path: string;
  /** Why the request's headers are refused (401 for the key), if they are. */
  refuse(headers: IncomingHttpHeaders, apiKey: string | undefined): Refusal | undefined;
  /** The conversation as chat messages, or what is wrong with the body. */
  conversation(body: Record<string, unknown>): ChatMessage[] | string;
  /** Answer with `step`, streamed when the body asks. */
  answer(res: ServerResponse, step: StandinAnswer, usage: Usage, how: How): Promise<void> | void;
  fail(res: ServerResponse, refusal: Refusal): void;
}

/** An error answer. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

interface How {
  model: string;
  body: Record<string, unknown>;
  chunkChars: number;
}

/** Answer `status` with `body` as JSON. */
export function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const bearer = (headers: IncomingHttpHeaders, apiKey: string | undefined): Refusal | undefined =>
  apiKey !== undefined && headers.authorization !== `Bearer ${apiKey}`
    ? { status: 401, code: 'invalid_api_key', message: 'Incorrect API key provided.' }
    : undefined;

// The error shape of the OpenAI API: `{ error: { message, type, param, code } }`.
function openaiFail(res: ServerResponse, { status, code, message }: Refusal): void {
  const type = status === 401 ? 'authentication_error' : 'invalid_request_error';
  json(res, status, { error: { message, type, param: null, code } });
}

/** OpenAI chat completions. */
export const chatProtocol: StandinProtocol = {
  path: '/v1/chat/completions',
  refuse: bearer,
  conversation: (body) =>
    typeof body['model'] === 'string' &&
    Array.isArray(body['messages']) &&
    body['messages'].length > 0
      ? (body['messages'] as ChatMessage[])
      : 'model and a non-empty messages list required.',
  answer: (res, step, usage, { model, body, chunkChars }) => {
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    if (body['stream'] !== true) return json(res, 200, completion(model, step, usage));
    return stream(res, model, step, usage, {
      includeUsage: options?.include_usage === true,
      chunkChars,
    });
  },
  fail: openaiFail,
};

/** OpenAI Responses. */
export const responsesProtocol: StandinProtocol = {
  path: '/v1/responses',
  refuse: bearer,
  conversation: responsesConversation,
  answer: (res, step, usage, { model, body, chunkChars }) =>
    body['stream'] === true
      ? responsesStream(res, model, step, usage, { body, chunkChars })
      : json(res, 200, responsesJson(model, step, usage, body)),
  fail: openaiFail,
};

const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
};

/** Anthropic Messages. */
export const anthropicProtocol: StandinProtocol = {
  path: '/v1/messages',
  refuse: (headers, apiKey) =>
    apiKey !== undefined && headers['x-api-key'] !== apiKey
      ? { status: 401, code: 'authentication_error', message: 'invalid x-api-key' }
      : typeof headers['anthropic-version'] !== 'string'
        ? {
            status: 400,
            code: 'invalid_request_error',
            message: 'anthropic-version: header is required',
          }
        : undefined,
  conversation: anthropicConversation,
  answer: (res, step, usage, { model, body, chunkChars }) =>
    body['stream'] === true
      ? anthropicStream(res, model, step, usage, { chunkChars })
      : json(res, 200, anthropicJson(model, step, usage)),
  // Anthropic's error shape: `{ type: 'error', error: { type, message } }`.
  fail: (res, { status, message }) =>
    json(res, status, {
      type: 'error',
      error: { type: anthropicTypes[status] ?? 'api_error', message },
    }),
};

/** Every protocol the stand-in speaks. */
export const standinProtocols = [chatProtocol, responsesProtocol, anthropicProtocol];
