// One web request with its address pinned: for each hop the host is resolved once (every address),
// each address is vetted, and the connection goes to the vetted address itself, with the URL's
// host in the Host header (and as the TLS server name), so a resolver that answers differently a
// moment later (DNS rebinding) cannot move the connection. An address inside (addresses.ts) is
// refused unless the caller says the hop's host:port was named exactly. Redirects are hops too.
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { readCapped } from '../http.ts';
import { bareHost, insideRange } from './addresses.ts';
import { GatewayError } from './edge.ts';

/** Every address a host name resolves to (the system resolver, or a test's). */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** The system resolver: every address, in the order the system gives them. */
export const systemResolve: Resolve = (hostname) =>
  lookup(hostname, { all: true, order: 'verbatim' });

/** What may be fetched, decided by the caller for every hop. */
export interface PinnedFetchOptions {
  /** Throws a GatewayError when `url` may not be fetched at all (scheme, credentials, allow-list). */
  check(url: URL): void;
  /** True when the policy names `url`'s host and port exactly: only then may it be inside. */
  exact(url: URL): boolean;
  resolve: Resolve;
  signal: AbortSignal;
  /** Bytes of the answer's body kept; the rest is never read. */
  maxBytes: number;
  maxRedirects: number;
}

/** The request the agent asked for (the first hop's). */
export interface PinnedRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** The final answer. */
export interface PinnedAnswer {
  status: number;
  /** The URL of the last hop. */
  url: URL;
  contentType: string | null;
  body: Buffer;
  truncated: boolean;
  /** The address the last hop connected to. */
  address: string;
}

/** The port a URL connects to: its own, or its scheme's. */
export function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Resolve `url`'s host and return the one address to connect to, or refuse. */
export async function vetAddress(url: URL, options: PinnedFetchOptions): Promise<string> {
  const host = bareHost(url.hostname);
  const addresses = isIP(host)
    ? [host]
    : (await Promise.race([options.resolve(host), aborted(options.signal)])).map((a) => a.address);
  if (addresses.length === 0)
    throw new GatewayError(502, 'fetch_failed', `${url.hostname} resolves to no address.`);
  if (options.exact(url)) return addresses[0] as string;
  // Every address is vetted, not only the one used: a name that points inside at all is refused.
  for (const address of addresses) {
    const range = insideRange(address);
    if (range === undefined) continue;
    const via = address === host ? '' : ` resolves to ${address}, which`;
    throw new GatewayError(
      403,
      'address_not_allowed',
      `${url.host}${via} is an inside address (${range}); inside addresses are reached only when the agent's allowHosts names the exact host and port (${url.hostname}:${portOf(url)}).`,
    );
  }
  return addresses[0] as string;
}

/** Rejects when `signal` aborts: a resolver that does not answer is bounded by the fetch's time. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** Fetch `url`, every hop checked and pinned; at most `maxRedirects` redirects. */
export async function pinnedFetch(
  url: URL,
  request: PinnedRequest,
  options: PinnedFetchOptions,
): Promise<PinnedAnswer> {
  let { method, body } = request;
  let address = await vetAddress(url, options);
  for (let hop = 0; ; hop++) {
    const answer = await send(url, address, { ...request, method, body }, options.signal);
    const status = answer.statusCode ?? 0;
    const location = answer.headers.location;
    if (status < 300 || status >= 400 || location === undefined) {
      const { bytes, truncated } = await readCapped(answer, options.maxBytes);
      const type = answer.headers['content-type'];
      return { status, url, contentType: type ?? null, body: bytes, truncated, address };
    }
    answer.destroy();
    const next = URL.parse(location, url.href);
    try {
      if (!next) throw new GatewayError(403, 'location_invalid', 'the location is not a URL');
      if (hop >= options.maxRedirects)
        throw new GatewayError(403, 'too_many_redirects', `more than ${options.maxRedirects}`);
      options.check(next);
      address = await vetAddress(next, options);
    } catch (err) {
      if (!(err instanceof GatewayError) || err.status !== 403) throw err;
      // The location is the server's text: the refusal names only why, never where it pointed.
      throw new GatewayError(
        403,
        'redirect_not_allowed',
        `${url.host} redirected to a URL that is refused (${err.code}); redirects are checked like the first request.`,
      );
    }
    // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    url = next;
  }
}

/** Send one hop to `address`, naming `url`'s host in the Host header and as the TLS server name. */
function send(
  url: URL,
  address: string,
  request: PinnedRequest,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const host = bareHost(url.hostname);
  const headers: Record<string, string> = { ...request.headers, host: url.host };
  if (request.body !== undefined)
    headers['content-length'] = String(Buffer.byteLength(request.body));
  else delete headers['content-type'];
  const options = {
    host: address,
    port: Number(portOf(url)),
    path: `${url.pathname}${url.search}`,
    method: request.method,
    headers,
    signal,
    // A connection of its own: no pooled socket carries a request to an address not vetted for it.
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const req =
      url.protocol === 'https:'
        ? httpsRequest({ ...options, servername: isIP(host) ? undefined : host }, resolve)
        : httpRequest(options, resolve);
    req.once('error', reject);
    req.end(request.body);
  });
}
