// Playground mode has no authentication, so it must only ever answer this machine. Binding to
// loopback is not enough on its own: a local reverse proxy or tunnel forwards remote requests from
// a loopback address, and a web page can reach 127.0.0.1 through DNS rebinding (its own host name,
// resolved to 127.0.0.1). So each request must come from a loopback address, carry no proxy
// headers, and name a loopback Host (and Origin, when a browser sends one).
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from './teams.ts';

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
