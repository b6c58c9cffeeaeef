// The hub with a real MCP server from the npm registry: @modelcontextprotocol/server-postgres,
// started by its bare name (found in node_modules/.bin), its database URL taken from the vault
// into a `${VAR}` argument on the host, against the test's own PostgreSQL with an orders table.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMcpHub } from '../../../src/mcp/hub.ts';
import type { McpHub } from '../../../src/mcp/types.ts';
import { runCleanups } from '../../helpers/cleanup.ts';
import { captureLogger } from '../../helpers/log.ts';
import { anyScope, mcpServer, refusal, tempVault } from '../../helpers/mcp-servers/servers.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.ts';

const store = tempVault();
const log = captureLogger();
let pg: PostgresCluster | undefined;
let hub: McpHub | undefined;

before(async () => {
  pg = await startPostgres();
  await pg.query(
    'CREATE TABLE orders (id text PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL, status text NOT NULL)',
  );
  await pg.query(
    "INSERT INTO orders VALUES ('A-1001', 'Dana Scully', 129.90, 'delivered'), ('A-1002', 'Fox Mulder', 15.00, 'shipped')",
  );
  await store.vault.put({ name: 'orders-db', kind: 'bearer', scope: anyScope, secret: pg.url });
  const orders = mcpServer({
    id: 'orders',
    command: { command: 'mcp-server-postgres', args: ['${DATABASE_URL}'] },
    credentials: { env: { DATABASE_URL: 'orders-db' } },
    tools: ['query'],
    trusted: true,
  });
  hub = createMcpHub({ servers: [orders], vault: store.vault, logger: log.logger });
});
after(() => runCleanups([() => hub?.close(), () => pg?.stop(), () => store.remove()]));

test('the PostgreSQL server lists its query tool and answers a read-only query', async () => {
  const { tools } = await hub!.listTools(['orders']);
  assert.deepEqual(
    tools.map((t) => [t.name, t.description]),
    [['query', 'Run a read-only SQL query']],
  );
  const result = await hub!.callTool('orders', 'query', {
    sql: "SELECT id, customer, total, status FROM orders WHERE id = 'A-1001'",
  });
  assert.equal(result.isError, false);
  assert.deepEqual(JSON.parse(result.text), [
    { id: 'A-1001', customer: 'Dana Scully', total: '129.90', status: 'delivered' },
  ]);
});

test('a write fails in its read-only transaction; the error never holds the database URL', async () => {
  const message = await refusal(
    hub!.callTool('orders', 'query', { sql: 'DELETE FROM orders' }),
    'mcp_call_failed',
  );
  assert.match(message, /read-only transaction/);
  assert.ok(!message.includes(pg!.password));
  const rows = await pg!.query('SELECT count(*)::int AS n FROM orders');
  assert.equal(rows.rows[0]?.n, 2);
  assert.ok(!log.text().includes(pg!.password), 'the log never holds the password');
});

test('arguments of the wrong type are refused before the server sees them', async () => {
  await refusal(hub!.callTool('orders', 'query', { sql: 42 }), 'mcp_bad_arguments');
});
