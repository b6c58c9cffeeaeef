// The gateway's edge: every request body is read once (capped), parsed once and validated once
// with its endpoint's zod schema into a typed object; every refusal is a GatewayError answered as
// JSON in the OpenAI error shape `{ error: { message, type, code } }`, which OpenAI-compatible
// clients inside the box already know how to read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { AirlockError } from '../errors.ts';
import { readBody, sendTooLarge } from '../http.ts';

/** A refusal with the HTTP status it is answered with. */
export class GatewayError extends AirlockError {
  override readonly name = 'GatewayError';
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** Answer `status` with `body` as JSON (unless the answer has already started). */
export function sendJson(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Answer a GatewayError in the OpenAI error shape. */
export function sendError(res: ServerResponse, err: GatewayError): void {
  const type =
    err.status === 429
      ? 'rate_limit_error'
      : err.status >= 500
        ? 'api_error'
        : 'invalid_request_error';
  sendJson(res, err.status, { error: { message: err.message, type, code: err.code } });
}

/**
 * Read, parse and validate the body with `schema`; undefined when the answer has been sent already
 * (413: the connection is closed without reading the rest).
 */
export async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
  maxBytes: number,
): Promise<z.infer<S> | undefined> {
  const text = await readBody(req, maxBytes);
  if (text === null) {
    sendTooLarge(res);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatewayError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      .join('; ');
    throw new GatewayError(400, 'invalid_request', `Invalid request: ${problems}.`);
  }
  return parsed.data;
}
