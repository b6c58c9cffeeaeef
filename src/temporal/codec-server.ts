// The codec server the Temporal UI calls to show Airlock's encrypted payloads in clear to an
// operator: POST /decode with `{"payloads":[…]}` (proto3 JSON: base64 metadata values and data)
// answers the same shape decrypted. Only decoding is offered (nothing can be encrypted through
// it), only to the UI's own origin (CORS), and only with the shared token (AIRLOCK_CODEC_TOKEN):
// as `Authorization: Bearer …` (CLI, scripts) or as the `airlock_codec` cookie that signing in at
// GET / (a form) or GET /sign-in?token=…&to=/path (one link) sets. With `uiUpstream`, every other
// path serves the Temporal UI through this origin (./ui-proxy.ts), so the UI's decode calls are
// same-origin and carry the cookie. GET /healthz: alive; GET /readyz: a probe round-trips.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { readBody, send, sendTooLarge, serverOptions } from '../http.ts';
import type { Logger } from '../log.ts';
import { isEncrypted } from './codec.ts';
import { ownOrigin, proxyToUi } from './ui-proxy.ts';
import { payloadFromJson, payloadToJson, type JsonPayload } from './payload-json.ts';

/** The cookie that carries the codec token from the operator's browser. */
export const CODEC_COOKIE = 'airlock_codec';

/** Options of the codec server. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The Temporal UI's origin, e.g. http://127.0.0.1:8233: the only one allowed to call. */
  uiOrigin: string;
  /** The shared secret every /decode request must carry (bearer token or cookie). */
  token: string;
  logger: Logger;
  /** Largest request body (bytes, default 4 MiB). */
  maxBody?: number;
  /** The Temporal UI to serve under this server's own origin (unset: only the codec paths). */
  uiUpstream?: string;
}

/** A codec server, not yet listening. */
export interface CodecServer {
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Create the server. */
export function createCodecServer(options: CodecServerOptions): CodecServer {
  const { codec, logger, uiUpstream } = options;
  const origin = options.uiOrigin.replace(/\/+$/, '');
  const maxBody = options.maxBody ?? 4 * 1024 * 1024;
  const expected = digest(options.token);
  // Constant time: compare fixed-length digests, so neither content nor length leaks.
  const authorized = (req: IncomingMessage): boolean => {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = cookies(req.headers.cookie)[CODEC_COOKIE];
    return [bearer, cookie].some((t) => t !== undefined && timingSafeEqual(digest(t), expected));
  };
  const server: Server = createServer(serverOptions(), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'codec server failed');
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.headers.origin === origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') {
      const codecWorks = await roundTrips(codec);
      return send(res, codecWorks ? 200 : 503, {
        status: codecWorks ? 'ready' : 'not ready',
        codec: codecWorks ? 'works' : 'fails',
      });
    }
    if (path === '/') return signIn(req, res);
    if (path === '/sign-in') return signInLink(req, res);
    if (path !== '/decode') {
      if (uiUpstream) return proxyToUi(req, res, uiUpstream, CODEC_COOKIE);
      return send(res, 404, { error: 'not_found' });
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'POST');
      res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    // The UI's origin, or this one when the UI is served through it (a same-origin POST names it;
    // a page rebinding its own name to this address passes here but carries no cookie of ours).
    const callers = [origin, ...(uiUpstream ? [ownOrigin(req)] : [])];
    if (req.headers.origin !== undefined && !callers.includes(req.headers.origin)) {
      return send(res, 403, { error: 'origin_not_allowed' });
    }
    if (!authorized(req)) {
      res.setHeader('www-authenticate', 'Bearer realm="airlock-codec"');
      return send(res, 401, {
        error: 'unauthorized',
        message: `sign in at this server's / with AIRLOCK_CODEC_TOKEN, or send it as a bearer token`,
      });
    }
    const body = await readBody(req, maxBody);
    if (body === null) return sendTooLarge(res);
    let payloads: Payload[];
    try {
      const parsed = JSON.parse(body) as { payloads?: unknown };
      if (!Array.isArray(parsed.payloads)) throw new Error('no payloads array');
      payloads = (parsed.payloads as JsonPayload[]).map(payloadFromJson);
    } catch (err) {
      return send(res, 400, { error: 'bad_request', message: (err as Error).message });
    }
    let decoded: Payload[];
    try {
      // Payloads we did not encrypt (older clear histories, the server's own) are shown as they are.
      decoded = await Promise.all(
        payloads.map(async (p) => (isEncrypted(p) ? ((await codec.decode([p]))[0] as Payload) : p)),
      );
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'codec server: payload not decodable');
      return send(res, 422, { error: 'not_decodable', message: (err as Error).message });
    }
    send(res, 200, { payloads: decoded.map(payloadToJson) });
  }

  // GET /: a form to paste the token; POST /: a correct token sets the HttpOnly cookie the UI's
  // requests then carry.
  async function signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') return page(res, 200, form(''));
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    const body = await readBody(req, 4096);
    const token = new URLSearchParams(body ?? '').get('token') ?? '';
    if (!timingSafeEqual(digest(token), expected))
      return page(res, 401, form('That is not the codec token (AIRLOCK_CODEC_TOKEN).'));
    setCookie(res, token);
    const ui = uiUpstream ? '/namespaces/default/workflows' : origin;
    page(res, 200, `<p>Signed in. <a href="${ui}">Open the Temporal UI</a>.</p>`);
  }

  // GET /sign-in?token=…&to=/namespaces/…: the one link `make demo` prints. A correct token sets
  // the cookie and redirects to `to` on the UI (this origin's when it serves the UI); only a path
  // is accepted as `to`, so the link cannot send the browser anywhere else.
  function signInLink(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') return send(res, 405, { error: 'method_not_allowed' });
    const query = new URL(req.url ?? '/', 'http://codec').searchParams;
    const token = query.get('token') ?? '';
    if (!timingSafeEqual(digest(token), expected))
      return page(res, 401, form('That is not the codec token (AIRLOCK_CODEC_TOKEN).'));
    const to = query.get('to') ?? '';
    const path = /^\/(?![/\\])/.test(to) ? to : '/namespaces/default/workflows';
    setCookie(res, token);
    res.writeHead(303, { location: uiUpstream ? path : `${origin}${path}` }).end();
  }

  return {
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** HttpOnly, SameSite=Strict (the UI on another port of the same host is same-site), 30 days. */
function setCookie(res: ServerResponse, token: string): void {
  res.setHeader(
    'set-cookie',
    `${CODEC_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000`,
  );
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a cookie of someone else's with bad escaping: not ours
    }
  }
  return out;
}

function page(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; form-action 'self'",
    'x-frame-options': 'DENY',
  });
  res.end(
    `<!doctype html><title>Airlock codec server</title>\n<h1>Airlock codec server</h1>\n${body}`,
  );
}

function form(error: string): string {
  return `<p>Paste the codec token (<code>AIRLOCK_CODEC_TOKEN</code> in <code>.data/env</code>) so the
Temporal UI in this browser can show decrypted payloads.</p>
${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/"><input type="password" name="token" aria-label="codec token"
autocomplete="off" autofocus> <button type="submit">Sign in</button></form>`;
}

/** True when a probe payload encoded by `codec` decodes to itself (the key is usable). */
async function roundTrips(codec: PayloadCodec): Promise<boolean> {
  const probe: Payload = {
    metadata: { encoding: Buffer.from('binary/plain') },
    data: Buffer.from('ok'),
  };
  try {
    const [encoded] = await codec.encode([probe]);
    const [decoded] = encoded ? await codec.decode([encoded]) : [];
    return Buffer.from(decoded?.data ?? []).toString() === 'ok';
  } catch {
    return false;
  }
}
