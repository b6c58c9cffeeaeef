// Rules over MCP tool calls: `capability: mcp:<server>`, `tool` (the same as `path: /<tool>`), and
// `when:` on the call's arguments (the request body).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../../../src/policy/evaluate.ts';
import type { ActionRequest } from '../../../src/policy/types.ts';
import { base, policyOf, problemsOf, theProblem } from './helpers.ts';

test('a rule may not give both tool and path', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: both, capability: mcp:orders, tool: query, path: /query, decision: allow }
`,
  );
  theProblem(problems, /give tool or path, not both/);
});

test('tool is for rules whose every capability is an MCP server', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: mixed, capability: [refunds-api], tool: query, decision: allow }
`,
  );
  theProblem(problems, /tool is for rules whose every capability is an MCP server/);
});

test('a tool name is an MCP tool name, a capability an id or mcp:<server id>', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: bad-tool, capability: mcp:orders, tool: "drop table", decision: allow }
  - { id: bad-cap, capability: "mcp:", decision: allow }
`,
  );
  theProblem(problems, /a tool is an MCP tool name/);
  theProblem(problems, /a capability is an id, or "mcp:<server id>"/);
});

const now = new Date('2025-06-04T10:00:00Z');

const mcpPolicy = (rules: string) =>
  policyOf(
    base,
    `
agents:
  - id: orders-bot
    sensitivity: action
    capabilities: [mcp:orders, refunds-api]
    credentials: [orders-db, refunds-key]
mcpServers:
  - id: orders
    command: { command: mcp-server-postgres, args: ['\${DATABASE_URL}'] }
    credentials: { env: { DATABASE_URL: orders-db } }
    tools: [query, insert_order, delete_order]
rules:
${rules}
`,
  );

const tiered = mcpPolicy(`
  - id: reads
    description: read-only queries
    capability: mcp:orders
    tool: query
    decision: allow
  - id: no-big-orders
    capability: mcp:orders
    tool: insert_order
    when: [{ field: amount, gt: 1000 }]
    decision: deny
  - id: writes
    capability: mcp:orders
    tool: [insert_*, delete_order]
    decision: approve
    approval: { approvers: { users: [alice] } }
`);

const call = (tool: string, body: unknown, extra: Partial<ActionRequest> = {}): ActionRequest => ({
  agent: 'orders-bot',
  capability: 'mcp:orders',
  method: 'POST',
  path: `/${tool}`,
  body,
  ...extra,
});

test('rules match an MCP call by server and tool: allow, approve, and when: on the arguments', () => {
  const read = evaluate(tiered, call('query', { sql: 'SELECT 1' }), now);
  assert.equal(read.decision, 'allow');
  assert.equal(read.rule, 'reads');
  assert.match(read.reason, /orders-bot calling orders\.query \(MCP\)/);
  assert.equal(read.capability, null);

  const small = evaluate(tiered, call('insert_order', { amount: 20 }), now);
  assert.equal(small.decision, 'approve');
  assert.equal(small.rule, 'writes');
  assert.deepEqual(
    small.approvers.map((a) => a.id),
    ['alice'],
  );

  // The arguments are the body: a body condition decides on them.
  const big = evaluate(tiered, call('insert_order', { amount: 5000 }), now);
  assert.equal(big.decision, 'deny');
  assert.equal(big.rule, 'no-big-orders');

  const remove = evaluate(tiered, call('delete_order', { id: 'A-1' }), now);
  assert.equal(remove.rule, 'writes');
});

test('path: /<tool> matches as tool: does', () => {
  const policy = mcpPolicy(`
  - { id: by-path, capability: mcp:orders, path: /query, decision: allow }
`);
  assert.equal(evaluate(policy, call('query', {}), now).rule, 'by-path');
  assert.equal(evaluate(policy, call('insert_order', {}), now).decision, 'deny');
});

test('an unknown server, a server the agent does not hold, an ungranted tool and a GET are denied before the rules', () => {
  const cases: [Partial<ActionRequest>, RegExp][] = [
    [{ capability: 'mcp:ghost' }, /unknown MCP server "ghost"/],
    [{ agent: 'support-bot' }, /agent "support-bot" may not use MCP server "orders"/],
    [{ path: '/drop_table' }, /MCP server "orders" does not grant tool "drop_table"/],
    [{ method: 'GET' }, /an MCP call is POST \/<tool>, not GET "\/query"/],
    [{ path: '/query/x' }, /an MCP call is POST \/<tool>/],
  ];
  for (const [extra, reason] of cases) {
    const d = evaluate(tiered, call('query', {}, extra), now);
    assert.equal(d.decision, 'deny', JSON.stringify(extra));
    assert.equal(d.rule, null);
    assert.match(d.reason, reason);
  }
});

test('no rule for a granted tool means deny', () => {
  const policy = mcpPolicy(`
  - { id: reads, capability: mcp:orders, tool: query, decision: allow }
`);
  const d = evaluate(policy, call('delete_order', { id: 'A-1' }), now);
  assert.equal(d.decision, 'deny');
  assert.match(d.reason, /no rule matches orders-bot calling orders\.delete_order/);
});

test('a rule naming an undeclared server is an error; a tool the server does not grant a warning', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: ghost, capability: mcp:ghost, tool: query, decision: allow }
`,
  );
  theProblem(problems, /unknown MCP server "ghost"/);
  const policy = mcpPolicy(`
  - { id: never, capability: mcp:orders, tool: [query, drop_*], decision: allow }
`);
  assert.equal(policy.warnings.length, 1);
  assert.match(policy.warnings[0]!.message, /MCP server "orders" grants no tool "drop_\*"/);
});

test('a rule over MCP servers with only methods other than POST is an error', () => {
  const problems = problemsOf(
    base,
    `
agents:
  - { id: orders-bot, sensitivity: action, capabilities: [mcp:orders], credentials: [] }
mcpServers:
  - { id: orders, url: 'http://127.0.0.1:9/mcp', tools: [query] }
rules:
  - { id: gets, capability: mcp:orders, method: GET, decision: allow }
`,
  );
  theProblem(problems, /an MCP tool call is a POST/);
});
