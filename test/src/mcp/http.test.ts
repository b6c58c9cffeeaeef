// The hub with a streamable-HTTP MCP server (the SDK's McpServer, in this process): the vault
// entry goes into the request header on the host, a bearer entry as "Bearer <secret>", and a
// result that echoes it comes back scrubbed; a server that refuses the credential is unavailable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hasCode } from '../../../src/errors.ts';
import { createMcpHub } from '../../../src/mcp/hub.ts';
import { runCleanups } from '../../helpers/cleanup.ts';
import { captureLogger } from '../../helpers/log.ts';
import { startHttpMcpServer, type HttpMcpServer } from '../../helpers/mcp-servers/http-server.ts';
import { anyScope, mcpServer, tempVault } from '../../helpers/mcp-servers/servers.ts';

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

test('the credential goes into the header on the host; an echo of it comes back scrubbed', async () => {
  const hub = createMcpHub({
    servers: [entry('http-key')],
    vault: store.vault,
    logger: log.logger,
  });
  try {
    const { tools } = await hub.listTools(['remote']);
    assert.deepEqual(tools.map((t) => t.name).sort(), ['echo_auth', 'greet']);
    assert.equal((await hub.callTool('remote', 'greet', { name: 'Dana' })).text, 'hello Dana');
    const echo = await hub.callTool('remote', 'echo_auth', {});
    assert.equal(echo.text, 'you sent Bearer [redacted]');
    assert.ok(!log.text().includes(SECRET));
  } finally {
    await hub.close();
  }
});

test('a server that refuses the credential is unavailable: no tools, calls refused', async () => {
  const hub = createMcpHub({
    servers: [entry('wrong-key')],
    vault: store.vault,
    logger: log.logger,
  });
  try {
    const before = server?.calls ?? 0;
    assert.deepEqual(await hub.listTools(['remote']), { tools: [], held: [] });
    const err = await hub.callTool('remote', 'greet', { name: 'x' }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e as Error,
    );
    assert.ok(hasCode(err, 'mcp_unavailable'), String(err));
    assert.equal(server?.calls, before);
  } finally {
    await hub.close();
  }
});

test('a credential missing from the vault: unavailable, named in the error', async () => {
  const hub = createMcpHub({
    servers: [entry('ghost-key')],
    vault: store.vault,
    logger: log.logger,
  });
  try {
    const err = await hub.callTool('remote', 'greet', { name: 'x' }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e as Error,
    );
    assert.ok(hasCode(err, 'mcp_unavailable'), String(err));
    assert.match(err.message, /needs credential "ghost-key", which the vault does not hold/);
  } finally {
    await hub.close();
  }
});
