// executeWithVault: send one HTTP request with a stored credential injected, on the host, for a
// sensitive action. The request is validated here (method, URL, body, Idempotency-Key); then it
// leaves the one way out (egress.ts: resolve, scope, inject, send without redirects, capped read,
// scrub) with a timeout, and a body past maxResponseBytes comes back cut. Errors never carry the secret.
import type { Logger } from '../log.ts';
import { AirlockError, hasCode } from '../errors.ts';
import { egress } from './egress.ts';
import type { CredentialStore } from './types.ts';

/** JSON values accepted as a request body. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** A request to send with a vault credential. */
export interface VaultRequest {
  agent: string;
  /** Name of the stored credential. */
  credential: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON. */
  body?: JsonValue;
  /** Sent as the Idempotency-Key header (the workflow id, for sensitive actions). */
  idempotencyKey: string;
  /** Whole-exchange timeout, headers and body; default 30 s. */
  timeoutMs?: number;
  /** Bytes of response body kept; beyond it the body is cut and `truncated` is true. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** What came back, with every echo of the secret replaced by `[redacted]`. */
export interface VaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the body was longer than maxResponseBytes and was cut there. */
  truncated: boolean;
  /** Set for 3xx responses with a Location: redirects are reported, never followed. */
  redirect?: { location: string; sameHost: boolean };
}

/** What executeWithVault needs. */
export interface VaultDeps {
  store: CredentialStore;
  fetch?: typeof fetch;
  logger?: Logger;
}

function bad(message: string): never {
  throw new AirlockError('vault_bad_request', message);
}

/** Send `request` with its credential injected; refuses out-of-scope requests with `vault_scope`. */
export async function executeWithVault(
  request: VaultRequest,
  deps: VaultDeps,
): Promise<VaultResponse> {
  const method = request.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) bad('method must be an HTTP method name');
  if (!request.agent) bad('agent is required');
  if (!request.idempotencyKey || /[\r\n\0]/.test(request.idempotencyKey))
    bad('idempotencyKey is required');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return bad('url is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    bad('only http and https URLs are allowed');
  if (url.username || url.password) bad('credentials in the URL are not allowed');
  if (request.body !== undefined && (method === 'GET' || method === 'HEAD'))
    bad(`${method} cannot have a body`);
  let headers: Headers;
  try {
    headers = new Headers(request.headers);
  } catch {
    return bad('headers contain an invalid name or value');
  }
  let body: string | undefined;
  if (typeof request.body === 'string') body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  headers.set('idempotency-key', request.idempotencyKey);
  const log = deps.logger?.child({
    agent: request.agent,
    credentialName: request.credential,
    method,
    host: url.host,
    path: url.pathname,
  });

  const timeoutMs = request.timeoutMs ?? 30_000;
  const started = performance.now();
  try {
    const answer = await egress(
      {
        agent: request.agent,
        credential: request.credential,
        method,
        url,
        headers,
        body,
        maxBytes: request.maxResponseBytes ?? 1024 * 1024,
        timeoutMs,
      },
      { store: deps.store, fetch: deps.fetch },
    );
    const { text, truncated } = await answer.text();
    const result: VaultResponse = {
      status: answer.status,
      headers: answer.headers,
      body: text,
      truncated,
    };
    if (answer.redirect) result.redirect = answer.redirect;
    log?.info(
      { status: answer.status, truncated, ms: Math.round(performance.now() - started) },
      'vault request sent',
    );
    return result;
  } catch (err) {
    const name = request.credential;
    if (hasCode(err, 'vault_scope'))
      log?.warn({ reason: (err as Error).message }, 'vault request refused');
    if (hasCode(err, 'vault_timeout')) {
      log?.warn({ timeoutMs }, 'vault request timed out');
      throw new AirlockError(
        'vault_timeout',
        `Request with credential "${name}" timed out after ${timeoutMs} ms.`,
      );
    }
    if (hasCode(err, 'vault_network')) {
      // The egress scrubbed the detail: fetch errors can quote the secret.
      const detail = (err as Error).message;
      log?.warn({ detail }, 'vault request failed');
      throw new AirlockError(
        'vault_network',
        `Request with credential "${name}" failed: ${detail}`,
      );
    }
    throw err;
  }
}
