// Failure injection and observation for the Bot Framework connector: a local HTTP proxy in front of
// the Agents Playground's connector that answers 500 to the first `failures` requests matching a
// method, then forwards everything, recording each exchange. The production code path runs
// unchanged (only the URL differs); the recording shows what the bot sent where the Playground's
// own event stream does not (1:1 chats the bot created for users other than the UI's user).
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One forwarded request and its answer. */
export interface Exchange {
  method: string;
  path: string;
  body: string;
  status: number;
  response: string;
}

/** A running proxy; `failed` counts the injected failures, `exchanges` the forwarded ones. */
export interface FlakyProxy {
  url: string;
  failed: number;
  exchanges: Exchange[];
  close(): Promise<void>;
}

/** Proxy to `target` (http://host:port), failing the first `failures` requests with `method`. */
export async function startFlakyProxy(
  target: string,
  method: string,
  failures: number,
): Promise<FlakyProxy> {
  const to = new URL(target);
  const state: FlakyProxy = {
    url: '',
    failed: 0,
    exchanges: [],
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    if (req.method === method && state.failed < failures) {
      state.failed++;
      req.resume();
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"error":"injected failure"}');
      return;
    }
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const upstream = request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: to.host },
        },
        (up) => {
          const answer: Buffer[] = [];
          up.on('data', (c: Buffer) => answer.push(c));
          up.on('end', () => {
            const response = Buffer.concat(answer);
            state.exchanges.push({
              method: req.method ?? '',
              path: req.url ?? '',
              body: Buffer.concat(body).toString('utf8'),
              status: up.statusCode ?? 502,
              response: response.toString('utf8'),
            });
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(response);
          });
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(Buffer.concat(body));
    });
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
