// executeWithVault: send one HTTP request with a stored credential injected, on the host. Order
// matters: validate the request, load the credential, check its scope (refusal happens before any
// network I/O), inject, send with a timeout and no redirects, read at most maxResponseBytes, and
// scrub every echo of the secret from what comes back. Error messages never carry the secret.
import type { Logger } from '../log.ts';
import { AirlockError } from '../errors.ts';
import { injectCredential } from './inject.ts';
import { redact, secretForms } from './redact.ts';
import { checkScope } from './scope.ts';
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
  const log = deps.logger?.child({
    agent: request.agent,
    credentialName: request.credential,
    method,
    host: url.host,
    path: url.pathname,
  });

  const found = await deps.store.resolve(request.credential);
  if (!found)
    throw new AirlockError('vault_not_found', `No credential named "${request.credential}".`);
  const { info, secret } = found;
  try {
    checkScope(info, { agent: request.agent, method, url });
  } catch (err) {
    log?.warn({ reason: (err as Error).message }, 'vault request refused');
    throw err;
  }

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
  injectCredential(info, secret, url, headers);

  const forms = secretForms(info, secret);
  const timeoutMs = request.timeoutMs ?? 30_000;
  const cap = request.maxResponseBytes ?? 1024 * 1024;
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  try {
    const res = await (deps.fetch ?? fetch)(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal,
    });
    const { bytes, truncated } = await readCapped(res, cap);
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => (out[k] = redact(v, forms)));
    const result: VaultResponse = {
      status: res.status,
      headers: out,
      body: redact(new TextDecoder().decode(bytes), forms, truncated),
      truncated,
    };
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      const target = URL.parse(location, url.href);
      result.redirect = { location: redact(location, forms), sameHost: target?.host === url.host };
    }
    log?.info(
      { status: res.status, truncated, ms: Math.round(performance.now() - started) },
      'vault request sent',
    );
    return result;
  } catch (err) {
    if (signal.aborted) {
      log?.warn({ timeoutMs }, 'vault request timed out');
      throw new AirlockError(
        'vault_timeout',
        `Request with credential "${info.name}" timed out after ${timeoutMs} ms.`,
      );
    }
    // fetch errors can quote header values or the URL, both of which may hold the secret.
    const e = err as Error & { cause?: { message?: string } };
    const detail = redact(`${e.message}${e.cause?.message ? `: ${e.cause.message}` : ''}`, forms);
    log?.warn({ detail }, 'vault request failed');
    throw new AirlockError(
      'vault_network',
      `Request with credential "${info.name}" failed: ${detail}`,
    );
  }
}

/** Read the body up to `cap` bytes, then stop reading (the rest is never buffered). */
async function readCapped(
  res: Response,
  cap: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks, size), truncated: false };
    if (size + value.length > cap) {
      chunks.push(value.subarray(0, cap - size));
      await reader.cancel();
      return { bytes: Buffer.concat(chunks, cap), truncated: true };
    }
    chunks.push(value);
    size += value.length;
  }
}
