// The demo's "refunds API": a small real HTTP server standing in for a payment provider. It
// requires a bearer token (which the vault injects; the agent never has it), honours
// Idempotency-Key (a repeated key returns the first response and executes nothing), and lists
// what it executed so tests and the demo can count executions.
import { createServer, type Server } from 'node:http';

/** One refund the API executed. */
export interface Refund {
  id: string;
  idempotencyKey: string;
  body: unknown;
  at: string;
}

/** A running demo API. */
export interface DemoApi {
  url: string;
  refunds: Refund[];
  close(): Promise<void>;
}

/** Start the demo API on 127.0.0.1:`port` (0 = any free port), accepting `token`. */
export async function startDemoApi(options: { port: number; token: string }): Promise<DemoApi> {
  const refunds: Refund[] = [];
  const byKey = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${options.token}`)
        return send(401, { error: 'unauthorized' });
      if (req.method === 'GET' && req.url === '/refunds') return send(200, { refunds });
      if (req.method !== 'POST' || !req.url?.startsWith('/refunds'))
        return send(404, { error: 'not found' });
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key)
        return send(400, { error: 'Idempotency-Key header required' });
      const earlier = byKey.get(key);
      if (earlier) return send(200, { id: earlier, replayed: true });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      } catch {
        return send(400, { error: 'body must be JSON' });
      }
      const id = `re_${String(refunds.length + 1).padStart(4, '0')}`;
      refunds.push({ id, idempotencyKey: key, body, at: new Date().toISOString() });
      byKey.set(key, id);
      send(201, { id, status: 'refunded' });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    refunds,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
