// Failure injection for the Bot Framework connector: a local HTTP proxy in front of the Agents
// Playground's connector that answers 500 to the first `failures` requests matching a method,
// then forwards everything. The production code path runs unchanged (only the URL differs).
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy; `failed` counts the injected failures. */
export interface FlakyProxy {
  url: string;
  failed: number;
  close(): Promise<void>;
}

/** Proxy to `target` (http://host:port), failing the first `failures` requests with `method`. */
export async function startFlakyProxy(
  target: string,
  method: string,
  failures: number,
): Promise<FlakyProxy> {
  const to = new URL(target);
  const state: FlakyProxy = { url: '', failed: 0, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    if (req.method === method && state.failed < failures) {
      state.failed++;
      req.resume();
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"error":"injected failure"}');
      return;
    }
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
