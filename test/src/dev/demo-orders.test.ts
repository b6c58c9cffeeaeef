// The demo's orders database: seeded with Riley's order, its reader role can read `orders` and
// nothing more, and the real PostgreSQL MCP server (its stdio bin, the SDK's client) answers the
// demo's lookup with the reader's URL and refuses a write. A server a killed demo left in its
// directory is stopped by the next start, which takes the same port.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pg from 'pg';
import { demoOrderLookup } from '../../../src/dev/demo-model.ts';
import { startOrdersDatabase, type OrdersDatabase } from '../../../src/dev/demo-orders.ts';
import { freePort } from '../../../src/dev/free-port.ts';
import { startPostgres, type PostgresCluster } from '../../../src/dev/postgres.ts';

const serverBin = fileURLToPath(
  new URL('../../../node_modules/.bin/mcp-server-postgres', import.meta.url),
);

let db: OrdersDatabase | undefined;
let mcp: Client | undefined;

before(async () => {
  db = await startOrdersDatabase();
});

after(async () => {
  await mcp?.close().catch(() => undefined);
  await db?.stop();
});

test('the reader role reads orders and can change nothing', async () => {
  assert.ok(db);
  const reader = new pg.Client({ connectionString: db.readerUrl });
  await reader.connect();
  try {
    const { rows } = await reader.query<{ customer: string; amount: string }>(
      "SELECT customer, amount FROM orders WHERE id = 'A-1001'",
    );
    assert.deepEqual(rows, [{ customer: 'Riley Requester', amount: '120.00' }]);
    await assert.rejects(
      reader.query("UPDATE orders SET amount = 0 WHERE id = 'A-1001'"),
      /read-only transaction/,
    );
    await assert.rejects(reader.query('CREATE TABLE notes (t text)'), /read-only|permission/);
    await reader.query('SET default_transaction_read_only = off');
    await assert.rejects(
      reader.query("DELETE FROM orders WHERE id = 'A-1001'"),
      /permission denied/,
    );
  } finally {
    await reader.end();
  }
  const owner = await db.cluster.query<{ n: string }>('SELECT count(*) AS n FROM orders');
  assert.equal(owner.rows[0]?.n, '4', 'every order is still there');
});

test("the PostgreSQL MCP server answers the demo's lookup and refuses a write", async () => {
  assert.ok(db);
  mcp = new Client({ name: 'demo-orders-test', version: '1.0.0' });
  await mcp.connect(
    new StdioClientTransport({ command: process.execPath, args: [serverBin, db.readerUrl] }),
  );
  const { tools } = await mcp.listTools();
  assert.deepEqual(
    tools.map((t) => t.name),
    ['query'],
  );
  const lookup = await mcp.callTool({ name: 'query', arguments: { sql: demoOrderLookup } });
  const content = lookup.content as { type: string; text: string }[];
  const [row] = JSON.parse(content[0]?.text ?? '[]') as Record<string, string>[];
  assert.equal(row?.['id'], 'A-1001');
  assert.equal(row?.['customer'], 'Riley Requester');
  assert.equal(row?.['item'], 'Ceramic teapot, blue');
  assert.equal(row?.['amount'], '120.00');
  assert.equal(row?.['status'], 'delivered');
  assert.match(row?.['delivered_on'] ?? '', /^\d{4}-\d{2}-\d{2}$/);
  const write = await mcp
    .callTool({ name: 'query', arguments: { sql: "DELETE FROM orders WHERE id = 'A-1001'" } })
    .then(
      (r) => JSON.stringify(r),
      (err: unknown) => (err as Error).message,
    );
  assert.match(write, /read-only transaction|permission denied/);
});

test("a server an earlier run left in the demo's directory is stopped, and its port reused", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-orders-'));
  const port = await freePort();
  let second: PostgresCluster | undefined;
  try {
    // The first run is killed before it can stop its server (nothing calls its stop()).
    await startPostgres({ dir, port });
    second = await startPostgres({ dir, port });
    const { rows } = await second.query<{ n: number }>('SELECT 1 AS n');
    assert.deepEqual(rows, [{ n: 1 }]);
  } finally {
    await second?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
