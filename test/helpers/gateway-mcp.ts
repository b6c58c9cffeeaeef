// An MCP client on a gateway's socket, as a harness in the box has one: the SDK's own `Client` over
// its streamable-HTTP transport, whose fetch dials the unix socket (every answer read whole: the
// gateway answers JSON, never a stream). Closed by the caller.
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call } from './gateway.ts';

/** A fetch whose requests all go to `socketPath` (the URL's host is ignored). */
export function socketFetch(socketPath: string) {
  return async (url: string | URL, init: RequestInit = {}): Promise<Response> => {
    const target = new URL(url);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? init.body : undefined;
    const answer = await call(
      socketPath,
      init.method ?? 'GET',
      target.pathname + target.search,
      body,
      headers,
    );
    const returned = new Headers();
    for (const [k, v] of Object.entries(answer.headers))
      if (typeof v === 'string') returned.set(k, v);
    const empty = answer.status === 204 || answer.status === 304;
    return new Response(empty ? null : answer.text, { status: answer.status, headers: returned });
  };
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

/** The JSON-RPC error a call was refused with (it must be refused). */
export async function rpcError(
  promise: Promise<unknown>,
): Promise<{ code: number; message: string }> {
  const err = (await promise.then(
    () => assert.fail('the call should have been refused'),
    (e: unknown) => e,
  )) as { code: number; message: string };
  return { code: err.code, message: err.message };
}
