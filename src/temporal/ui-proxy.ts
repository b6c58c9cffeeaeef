// The Temporal UI served through the codec server's own origin, so the UI's calls to POST /decode
// are same-origin and carry the HttpOnly codec cookie without the UI's "include cross-origin
// credentials" setting (the dev server's embedded UI has no flag for it). The UI's settings answer
// is rewritten to name this origin as the codec endpoint; the codec cookie never goes upstream.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { send } from '../http.ts';

const SETTINGS_PATH = '/api/v1/settings';

/** The origin the browser used to reach this server (scheme http: it listens on plain HTTP). */
export function ownOrigin(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  return host && /^[\w.:[\]-]+$/.test(host) ? `http://${host}` : undefined;
}

/** Forward `req` to the Temporal UI at `upstream` and stream its answer back. */
export function proxyToUi(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  dropCookie: string,
): Promise<void> {
  // Only a path goes upstream: an absolute (`http://host/…`) or scheme-relative (`//host/…`)
  // request target would otherwise name another host, and this would be an open proxy.
  const path = req.url ?? '/';
  const base = new URL(upstream);
  const target =
    path.startsWith('/') && !path.startsWith('//') ? URL.parse(base.origin + path) : null;
  if (target?.origin !== base.origin) {
    send(res, 400, { error: 'bad_request_target' });
    return Promise.resolve();
  }
  const self = ownOrigin(req);
  const headers = { ...req.headers, host: target.host };
  if (self !== undefined && headers.origin === self) headers.origin = target.origin;
  const cookie = withoutCookie(req.headers.cookie, dropCookie);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  const settings = req.method === 'GET' && target.pathname === SETTINGS_PATH;
  if (settings) delete headers['accept-encoding']; // the answer is rewritten: keep it plain JSON
  return new Promise((resolve) => {
    const out = request(target, { method: req.method, headers }, (up) => {
      if (settings && up.statusCode === 200 && self !== undefined) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = withCodecEndpoint(Buffer.concat(chunks).toString('utf8'), self);
          const { 'content-length': _length, ...rest } = up.headers;
          res.writeHead(200, { ...rest, 'content-length': Buffer.byteLength(body) }).end(body);
          resolve();
        });
        up.on('error', () => resolve());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', resolve);
      up.on('error', () => resolve());
    });
    out.on('error', () => {
      if (!res.headersSent) send(res, 502, { error: 'temporal_ui_unreachable', upstream });
      else res.destroy();
      resolve();
    });
    req.pipe(out);
  });
}

/** The settings answer with this origin as the codec endpoint (the rest unchanged). */
function withCodecEndpoint(body: string, endpoint: string): string {
  try {
    const parsed = JSON.parse(body) as { Codec?: Record<string, unknown> };
    parsed.Codec = { ...parsed.Codec, Endpoint: endpoint };
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

function withoutCookie(header: string | undefined, name: string): string {
  return (header ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith(`${name}=`))
    .join('; ');
}
