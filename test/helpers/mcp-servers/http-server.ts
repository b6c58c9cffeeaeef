// A streamable-HTTP MCP server for the tests, in the test's own process, written with the SDK's
// `McpServer`: stateless (each POST its own server and transport) or with sessions, which
// `forgetSessions()` drops as a restarted server would. It refuses requests without the expected
// Authorization header, and a tool echoes the header back (a careless server), so a test sees the
// credential injected on the host and scrubbed on return.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** A running server: its URL, how many calls reached a tool, and how to stop it. */
export interface HttpMcpServer {
  url: string;
  calls: number;
  /** Sessions started (stateful mode). */
  sessions: number;
  /** Forget every session, as a restarted server does: their next request gets 404. */
  forgetSessions(): void;
  close(): Promise<void>;
}

/** Start the server on 127.0.0.1 and a free port; requests must carry `authorization`. */
export async function startHttpMcpServer(
  authorization: string,
  options: { stateful?: boolean } = {},
): Promise<HttpMcpServer> {
  const state = { calls: 0, sessions: 0 };
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const build = (seen: string | undefined) => {
    const mcp = new McpServer({ name: 'airlock-http-test', version: '1.0.0' });
    mcp.registerTool(
      'greet',
      { description: 'Greet someone.', inputSchema: { name: z.string() } },
      ({ name }) => {
        state.calls++;
        return { content: [{ type: 'text', text: `hello ${name}` }] };
      },
    );
    mcp.registerTool('echo_auth', { description: 'Echo the Authorization header.' }, () => {
      state.calls++;
      return { content: [{ type: 'text', text: `you sent ${seen ?? 'nothing'}` }] };
    });
    return mcp;
  };
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== authorization) {
      res.writeHead(401).end('unauthorized');
      return;
    }
    const sid = req.headers['mcp-session-id'];
    if (options.stateful && typeof sid === 'string') {
      const known = sessions.get(sid);
      if (!known) res.writeHead(404).end('unknown session');
      else void known.handleRequest(req, res).catch(() => res.writeHead(500).end());
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const mcp = build(req.headers.authorization);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: options.stateful ? () => randomUUID() : undefined,
      onsessioninitialized: (id) => {
        state.sessions++;
        sessions.set(id, transport);
      },
      enableJsonResponse: true,
    });
    if (!options.stateful) res.on('close', () => void mcp.close());
    void mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    get calls() {
      return state.calls;
    },
    get sessions() {
      return state.sessions;
    },
    forgetSessions: () => sessions.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
