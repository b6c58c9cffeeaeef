// The Agents Playground's local development mode: explicit, loopback-only, refused whenever Teams
// credentials or production are configured, and loud in the log. It has no authentication, so it
// must only ever answer this machine. Binding to loopback is not enough on its own: a local reverse
// proxy or tunnel forwards remote requests from a loopback address, and a web page can reach
// 127.0.0.1 through DNS rebinding (its own host name, resolved to 127.0.0.1). So each request must
// come from a loopback address, carry no proxy headers, and name a loopback Host (and Origin, when
// a browser sends one); each activity must carry the Playground's marker, no token, and a loopback
// serviceUrl.
import type { IncomingHttpHeaders } from 'node:http';
import type { TeamsWebhookVerifier } from '@chat-adapter/teams';
import { isLoopbackHost } from '../../chat/playground-mode.ts';
import type { Logger } from '../../log.ts';

const proxyHeaders = ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'x-real-ip'];

/** True for a socket address on this machine (IPv4-mapped IPv6 included). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return isLoopbackHost(address.replace(/^::ffff:/i, ''));
}

function hostnameOf(value: string): string | undefined {
  try {
    const url = new URL(value.includes('://') ? value : `http://${value}`);
    return url.hostname;
  } catch {
    return undefined;
  }
}

/** Why a Playground-mode request is refused, or null when it plainly comes from this machine. */
export function playgroundRefusal(
  remoteAddress: string | undefined,
  headers: IncomingHttpHeaders,
): string | null {
  if (!isLoopbackAddress(remoteAddress)) return `remote address ${remoteAddress} is not loopback`;
  const proxied = proxyHeaders.find((h) => headers[h] !== undefined);
  if (proxied) return `request came through a proxy (${proxied} header)`;
  const host = headers.host === undefined ? undefined : hostnameOf(headers.host);
  if (!host || !isLoopbackHost(host)) return `Host ${headers.host ?? '(none)'} is not loopback`;
  const origin = headers.origin;
  if (origin !== undefined) {
    const originHost = hostnameOf(origin);
    if (!originHost || !isLoopbackHost(originHost)) return `Origin ${origin} is not loopback`;
  }
  return null;
}

/** The headers a Playground activity is checked by. */
export interface PlaygroundHeaders {
  marker: string | null | undefined;
  authorization: string | null | undefined;
}

/**
 * True for an activity the Agents Playground sent: its marker header, no token, a loopback
 * serviceUrl; logged either way. The webhook's edge (clicks) and the adapter's verifier share it.
 */
export function isPlaygroundActivity(
  headers: PlaygroundHeaders,
  serviceUrl: unknown,
  logger: Logger,
): boolean {
  const ok =
    headers.marker === 'true' &&
    (headers.authorization === null || headers.authorization === undefined) &&
    isLoopbackHost(hostOf(serviceUrl));
  if (ok) logger.warn('PLAYGROUND MODE: accepted an unauthenticated Teams request');
  else logger.warn('teams webhook rejected: not a Playground request');
  return ok;
}

/** Accept the Agents Playground's requests (isPlaygroundActivity), as the adapter's verifier. */
export function createPlaygroundVerifier(logger: Logger): TeamsWebhookVerifier {
  return (request, body) => {
    const marker = request.headers.get('x-ms-agents-playground');
    const authorization = request.headers.get('authorization');
    return isPlaygroundActivity({ marker, authorization }, serviceUrlOf(body), logger);
  };
}

function serviceUrlOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { serviceUrl?: unknown } | null)?.serviceUrl;
  } catch {
    return undefined;
  }
}

function hostOf(url: unknown): string {
  try {
    return typeof url === 'string' ? new URL(url).hostname : '';
  } catch {
    return '';
  }
}
