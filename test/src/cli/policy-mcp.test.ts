// `airlock policy explain --mcp <server>/<tool> --agent <id> --args <json>`: an MCP tool call,
// dry-run against a policy as the request it becomes (POST /<tool> on mcp:<server>).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-policy-mcp-'));
  await writeFile(
    join(dir, 'orders.yaml'),
    `
users:
  - { id: alice, displayName: Alice, slackUserId: UALICE }
agents:
  - { id: orders-bot, sensitivity: action, capabilities: [mcp:orders], credentials: [] }
mcpServers:
  - { id: orders, url: 'http://127.0.0.1:9/mcp', tools: [query, insert_order] }
rules:
  - id: reads
    capability: mcp:orders
    tool: query
    when: [{ field: sql, glob: 'SELECT *' }]
    decision: allow
  - id: writes
    capability: mcp:orders
    tool: insert_order
    decision: approve
    approval: { approvers: { users: [alice] }, cards: { slack: { channel: C1 } } }
`,
  );
});
after(() => rm(dir, { recursive: true, force: true }));

async function explain(...args: string[]) {
  const io = bufferIo('');
  const code = await main(['policy', 'explain', '--policy', dir, ...args], io);
  return { code, out: io.out, err: io.err };
}

test('explain --mcp decides an MCP call by server, tool and arguments', async () => {
  const read = await explain(
    '--mcp',
    'orders/query',
    '--agent',
    'orders-bot',
    '--args',
    '{"sql":"SELECT 1"}',
  );
  assert.equal(read.code, 0, read.err);
  const allowed = JSON.parse(read.out) as { decision: string; rule: string; reason: string };
  assert.equal(allowed.decision, 'allow');
  assert.equal(allowed.rule, 'reads');
  assert.match(allowed.reason, /orders-bot calling orders\.query \(MCP\)/);

  const write = await explain(
    '--mcp',
    'orders/query',
    '--agent',
    'orders-bot',
    '--args',
    '{"sql":"DELETE FROM orders"}',
  );
  assert.equal((JSON.parse(write.out) as { decision: string }).decision, 'deny');

  const insert = await explain('--mcp', 'orders/insert_order', '--agent', 'orders-bot');
  assert.equal((JSON.parse(insert.out) as { decision: string }).decision, 'approve');

  const ungranted = await explain('--mcp', 'orders/drop', '--agent', 'orders-bot');
  assert.match(
    (JSON.parse(ungranted.out) as { reason: string }).reason,
    /MCP server "orders" does not grant tool "drop"/,
  );
});

test('explain --mcp without an agent, with a bad name, bad JSON or --request too is refused', async () => {
  assert.equal((await explain('--mcp', 'orders/query')).code, 2);
  assert.equal((await explain('--mcp', 'orders', '--agent', 'orders-bot')).code, 2);
  assert.equal((await explain('--mcp', 'orders/query', '--request', '-', '--agent', 'x')).code, 2);
  const bad = await explain('--mcp', 'orders/query', '--agent', 'orders-bot', '--args', '{oops');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--args is not JSON/);
});
