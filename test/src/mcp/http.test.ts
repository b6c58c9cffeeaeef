// The hub with a streamable-HTTP MCP server (the SDK's McpServer, in this process): the vault
// entry goes into the request header on the host, a bearer entry as "Bearer <secret>", and a
// result that echoes it comes back scrubbed; a server that refuses the credential is unavailable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMcpHub } from '../../../src/mcp/hub.ts';
import type { McpHub } from '../../../src/mcp/types.ts';
import { runCleanups } from '../../helpers/cleanup.ts';
import { captureLogger } from '../../helpers/log.ts';
import { startHttpMcpServer, type HttpMcpServer } from '../../helpers/mcp-servers/http-server.ts';
import { anyScope, mcpServer, refusal, tempVault } from '../../helpers/mcp-servers/servers.ts';

const SECRET = 'mcp_http_secret_0123456789';
const store = tempVault();
const log = captureLogger();
let server: HttpMcpServer | undefined;

before(async () => {
  server = await startHttpMcpServer(`Bearer ${SECRET}`);
  await store.vault.put({ name: 'http-key', kind: 'bearer', scope: anyScope, secret: SECRET });
  await store.vault.put({ name: 'wrong-key', kind: 'bearer', scope: anyScope, secret: 'nope' });
});
after(() => runCleanups([() => server?.close(), () => store.remove()]));

const entry = (credential: string) =>
  mcpServer({
    id: 'remote',
    url: server?.url,
    credentials: { headers: { Authorization: credential } },
    tools: ['greet', 'echo_auth'],
  });

/** Run `use` with a hub for the server whose header takes vault entry `credential`; closed after. */
async function withHub(credential: string, use: (hub: McpHub) => Promise<void>): Promise<void> {
  const hub = createMcpHub({
    servers: [entry(credential)],
    vault: store.vault,
    logger: log.logger,
  });
  try {
    await use(hub);
  } finally {
    await hub.close();
  }
}

test('the credential goes into the header on the host; an echo of it comes back scrubbed', () =>
  withHub('http-key', async (hub) => {
    const { tools } = await hub.listTools(['remote']);
    assert.deepEqual(tools.map((t) => t.name).sort(), ['echo_auth', 'greet']);
    assert.equal((await hub.callTool('remote', 'greet', { name: 'Dana' })).text, 'hello Dana');
    const echo = await hub.callTool('remote', 'echo_auth', {});
    assert.equal(echo.text, 'you sent Bearer [redacted]');
    assert.ok(!log.text().includes(SECRET));
  }));

test('a server that refuses the credential is unavailable: no tools, calls refused', () =>
  withHub('wrong-key', async (hub) => {
    const before = server?.calls ?? 0;
    assert.deepEqual(await hub.listTools(['remote']), { tools: [], held: [] });
    await refusal(hub.callTool('remote', 'greet', { name: 'x' }), 'mcp_unavailable');
    assert.equal(server?.calls, before);
  }));

test('a credential missing from the vault: unavailable, named in the error', () =>
  withHub('ghost-key', async (hub) => {
    const message = await refusal(
      hub.callTool('remote', 'greet', { name: 'x' }),
      'mcp_unavailable',
    );
    assert.match(message, /needs credential "ghost-key", which the vault does not hold/);
  }));

test('a server that restarted and forgot the session: the hub lists again on a new one', async () => {
  const stateful = await startHttpMcpServer(`Bearer ${SECRET}`, { stateful: true });
  const hub = createMcpHub({
    servers: [{ ...entry('http-key'), url: stateful.url }],
    vault: store.vault,
    logger: log.logger,
  });
  try {
    assert.equal((await hub.callTool('remote', 'greet', { name: 'a' })).text, 'hello a');
    assert.equal(stateful.sessions, 1);
    stateful.forgetSessions();
    assert.equal((await hub.callTool('remote', 'greet', { name: 'b' })).text, 'hello b');
    assert.equal(stateful.sessions, 2);
    assert.equal(stateful.calls, 2);
  } finally {
    await runCleanups([() => hub.close(), () => stateful.close()]);
  }
});
