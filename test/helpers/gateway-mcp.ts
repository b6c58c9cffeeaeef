// An MCP client on a gateway's socket, as a harness in the box has one: the SDK's own `Client` over
// its streamable-HTTP transport, whose fetch dials the unix socket (node:http, every answer read
// whole: the gateway answers JSON, never a stream). Closed by the caller.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** A fetch whose requests all go to `socketPath` (the URL's host is ignored), each bounded by `timeoutMs`. */
export function socketFetch(socketPath: string, timeoutMs = 10_000) {
  return (url: string | URL, init: RequestInit = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = request(
        {
          socketPath,
          method: init.method ?? 'GET',
          path: target.pathname + target.search,
          headers,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const answer = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              if (typeof v === 'string') answer.set(k, v);
            const status = res.statusCode ?? 0;
            const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: answer }));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from ${target.pathname}`)));
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
}

/** The SDK's MCP client connected to the gateway's `/mcp` on `socketPath`. */
export async function mcpClient(socketPath: string): Promise<Client> {
  const client = new Client({ name: 'airlock-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('http://gateway/mcp'), {
    fetch: socketFetch(socketPath),
  });
  await client.connect(transport);
  return client;
}
