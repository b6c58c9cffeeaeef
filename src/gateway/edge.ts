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

/** A GatewayError in the OpenAI error shape (also sent as a stream's last event). */
export function errorBody(err: GatewayError): {
  error: { message: string; type: string; code: string };
} {
  const type =
    err.status === 429
      ? 'rate_limit_error'
      : err.status >= 500
        ? 'api_error'
        : 'invalid_request_error';
  return { error: { message: err.message, type, code: err.code } };
}

/** Answer a GatewayError in the OpenAI error shape. */
export function sendError(res: ServerResponse, err: GatewayError): void {
  sendJson(res, err.status, errorBody(err));
}

/** How `readJson` reports a body its schema refuses. */
export interface ReadOptions {
  /**
   * The error code for a body the schema refuses by allow-list (an unknown key of a strict object,
   * an unknown discriminator, a refinement with `params: { refused: true }`); other problems stay
   * `invalid_request`. Unset: every problem is `invalid_request`.
   */
  refusedCode?: string;
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
  options: ReadOptions = {},
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
    const found = parsed.error.issues.slice(0, 5).map((i) => deepest(i, []));
    const problems = found
      .map(({ issue, path }) => `${path.join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    const refused = options.refusedCode && found.some(({ issue }) => isRefusal(issue));
    throw new GatewayError(
      400,
      refused ? (options.refusedCode ?? 'invalid_request') : 'invalid_request',
      `Invalid request: ${problems}.`,
    );
  }
  return parsed.data;
}

type Issue = z.core.$ZodIssue;

// A union names no field itself: report the problem of the branch that got furthest into the value
// (a list of parts, not the string it could also have been). Branch paths are relative to it.
function deepest(issue: Issue, base: PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: PropertyKey[] } | undefined;
  for (const branch of issue.errors)
    for (const inner of branch) {
      const found = deepest(inner, path);
      if (!best || found.path.length > best.path.length) best = found;
    }
  return best ?? { issue, path };
}

function isRefusal(issue: Issue): boolean {
  if (issue.code === 'unrecognized_keys') return true;
  // A discriminated union whose discriminator matched no option.
  if (issue.code === 'invalid_union')
    return issue.discriminator !== undefined && issue.inclusive !== false;
  return issue.code === 'custom' && issue.params?.['refused'] === true;
}

/** A handler of an endpoint whose body is its schema's JSON: it gets the validated input. */
type JsonHandler<I, D, A extends unknown[]> = (
  input: I,
  res: ServerResponse,
  deps: D,
  ...args: A
) => Promise<void> | void;

/**
 * The endpoint that reads the body (capped at `deps.limits.maxBodyBytes`) and validates it with
 * `schema` before `handle` runs; a body over the cap is answered 413 and `handle` does not run.
 */
export function jsonEndpoint<
  S extends z.ZodType,
  D extends { limits: { maxBodyBytes: number } },
  A extends unknown[] = [],
>(
  schema: S,
  handle: JsonHandler<z.infer<S>, D, A>,
): (req: IncomingMessage, res: ServerResponse, deps: D, ...args: A) => Promise<void> {
  return async (req, res, deps, ...args) => {
    const input = await readJson(req, res, schema, deps.limits.maxBodyBytes);
    if (input !== undefined) await handle(input, res, deps, ...args);
  };
}
