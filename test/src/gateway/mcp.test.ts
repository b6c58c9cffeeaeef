// The gateway's MCP endpoint over its real unix socket, read by the SDK's own `Client`: the list an
// agent is offered (by its kind, who it may ask, its capability tools and the policy's `tools`),
// each kind of call reaching the same handler as its HTTP route (actions executed, pending and
// denied; a capability tool; a progress message; a question; a fetch, allowed and refused), and
// what is refused before anything starts: arguments the schema does not allow, a tool not offered.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';
import { mcpClient, rpcError } from '../../helpers/gateway-mcp.ts';

let fx: GatewayFixture | undefined;
let client: Client | undefined;
let web: Server | undefined;
afterEach(async () => {
  await client?.close();
  await fx?.close();
  if (web) await new Promise((r) => web?.close(r));
  client = fx = web = undefined;
});

const cancelTool = {
  name: 'cancel_order',
  description: 'Cancel an order before it ships.',
  capability: 'orders-api',
  method: 'POST',
  path: '/cancellations',
  fields: {
    order: { type: 'string' as const, description: 'The order to cancel', optional: false },
    items: { type: 'integer' as const, optional: false },
    reason: { type: 'string' as const, enum: ['late', 'wrong-item'], optional: false },
    notify: { type: 'boolean' as const, optional: true },
  },
};

const refund = {
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order: 'A-1001', amount: 120 },
  purpose: 'Riley says the parcel arrived damaged.',
};

/** The one text a tool answered, parsed as JSON, and whether it is an error. */
function answer(result: Awaited<ReturnType<Client['callTool']>>): {
  json: Record<string, unknown>;
  isError: boolean;
} {
  const content = result.content as { type: string; text: string }[];
  assert.equal(content.length, 1);
  assert.equal(content[0]?.type, 'text');
  return {
    json: JSON.parse(content[0]?.text ?? '') as Record<string, unknown>,
    isError: result.isError === true,
  };
}

test('the list: an action agent gets request_action, send_message, ask_agent and its capability tools; tools narrows it', async () => {
  fx = await startGatewayFixture({
    runner: { mayAsk: ['research', 'billing'], capabilityTools: [cancelTool] },
  });
  client = await mcpClient(fx.gateway.socketPath);
  const { tools } = await client.listTools();
  assert.deepEqual(
    tools.map((t) => t.name),
    ['request_action', 'send_message', 'ask_agent', 'cancel_order'],
  );
  const ask = tools.find((t) => t.name === 'ask_agent');
  assert.match(ask?.description ?? '', /you may ask: research, billing/);
  const typed = tools.find((t) => t.name === 'cancel_order')?.inputSchema as {
    properties: Record<string, { enum?: string[] }>;
    required: string[];
  };
  assert.deepEqual([...typed.required].sort(), ['items', 'order', 'purpose', 'reason']);
  assert.deepEqual(typed.properties['reason']?.enum, ['late', 'wrong-item']);
  // Every pattern is anchored at both ends, as llama.cpp's schema-to-grammar conversion requires.
  for (const p of JSON.stringify(tools).match(/"pattern":"(?:[^"\\]|\\.)*"/g) ?? [])
    assert.match(p, /^"pattern":"\^.*\$"$/);
  await client.close();
  await fx.close();

  fx = await startGatewayFixture({
    runner: { capabilityTools: [cancelTool], tools: ['cancel_order', 'send_message'] },
  });
  client = await mcpClient(fx.gateway.socketPath);
  const narrowed = await client.listTools();
  assert.deepEqual(
    narrowed.tools.map((t) => t.name),
    ['send_message', 'cancel_order'],
  );
});

test('the list: a research agent gets fetch and send_message, no request_action, no ask_agent', async () => {
  fx = await startGatewayFixture({
    agent: { sensitivity: 'research', webHosts: [] },
    runner: { sensitivity: 'research', capabilityTools: [cancelTool] },
  });
  client = await mcpClient(fx.gateway.socketPath);
  const { tools } = await client.listTools();
  assert.deepEqual(
    tools.map((t) => t.name),
    ['send_message', 'fetch'],
  );
});

test('request_action: executed, pending and denied, each a request like the route’s, in the turn', async () => {
  fx = await startGatewayFixture();
  client = await mcpClient(fx.gateway.socketPath);
  const turn = fx.inbox.startTurn('turn-7', []);
  await call(fx.gateway.socketPath, 'GET', '/v1/inbox');

  fx.nextOutcome = { status: 'executed', result: { status: 201, body: '{"refund":"r-1"}' } };
  const executed = answer(await client.callTool({ name: 'request_action', arguments: refund }));
  assert.equal(executed.isError, false);
  assert.deepEqual(executed.json['result'], { status: 201, body: '{"refund":"r-1"}' });
  assert.equal(executed.json['status'], 'executed');

  fx.nextOutcome = { status: 'pending', id: 'action:abc' };
  const pending = answer(await client.callTool({ name: 'request_action', arguments: refund }));
  assert.equal(pending.isError, false);
  assert.equal(pending.json['status'], 'pending');
  assert.match(String(pending.json['note']), /Waiting for human approval \(id action:abc\)/);

  fx.nextOutcome = { status: 'denied', reason: 'refunds over 10 need a manager' };
  const denied = answer(await client.callTool({ name: 'request_action', arguments: refund }));
  assert.equal(denied.isError, true);
  assert.equal(denied.json['reason'], 'refunds over 10 need a manager');

  fx.nextOutcome = new Error('temporal is down');
  const failed = answer(await client.callTool({ name: 'request_action', arguments: refund }));
  assert.equal(failed.isError, true);
  assert.equal(failed.json['status'], 'failed');
  assert.deepEqual(failed.json['error'], {
    code: 'action_failed',
    message: 'The action could not be requested; try again later.',
  });

  assert.equal(fx.actions.length, 4);
  assert.deepEqual(fx.actions[0], {
    ...refund,
    agentId: 'support',
    sessionId: 'session:support:t1',
    turn: 'turn-7',
  });
  await call(fx.gateway.socketPath, 'POST', '/v1/turns/turn-7/done', { reply: 'ok' });
  await turn;
});

test('a capability tool is an ordinary action request; send_message and ask_agent reach their hooks', async () => {
  fx = await startGatewayFixture({
    runner: { mayAsk: ['research'], capabilityTools: [cancelTool] },
  });
  client = await mcpClient(fx.gateway.socketPath);
  const args = { order: 'A-1001', items: 2, reason: 'late', purpose: 'Riley no longer wants it' };
  const typed = answer(await client.callTool({ name: 'cancel_order', arguments: args }));
  assert.equal(typed.json['status'], 'pending');
  assert.deepEqual(fx.actions, [
    {
      capability: 'orders-api',
      method: 'POST',
      path: '/cancellations',
      body: { order: 'A-1001', items: 2, reason: 'late' },
      purpose: 'Riley no longer wants it',
      agentId: 'support',
      sessionId: 'session:support:t1',
      turn: null,
    },
  ]);

  const sent = answer(
    await client.callTool({ name: 'send_message', arguments: { text: 'Working on it.' } }),
  );
  assert.deepEqual(sent.json, { status: 'sent' });
  assert.deepEqual(
    fx.messages.map((m) => [m.text, m.seq]),
    [['Working on it.', 1]],
  );

  fx.nextAsk = { status: 'pending', id: 'exchange:q-1' };
  const question = { to: 'research', question: 'What does the carrier pay for damage?' };
  const asked = answer(await client.callTool({ name: 'ask_agent', arguments: question }));
  assert.equal(asked.json['status'], 'pending');
  assert.equal(
    asked.json['note'],
    'Your question to research is on its way (id exchange:q-1). It needs approval and the ' +
      "other agent's answer; the answer arrives in a later turn. Tell the user you are waiting.",
  );
  fx.nextAsk = { status: 'refused', reason: 'support may not ask billing' };
  const refused = answer(
    await client.callTool({ name: 'ask_agent', arguments: { ...question, to: 'billing' } }),
  );
  assert.equal(refused.isError, true);
  assert.equal(refused.json['reason'], 'support may not ask billing');
  assert.deepEqual(
    fx.asks.map((a) => [a.to, a.agentId]),
    [
      ['research', 'support'],
      ['billing', 'support'],
    ],
  );
});

test('fetch: an allow-listed page comes back sanitized; another host is refused as a tool error', async () => {
  web = createServer((_req, res) => res.end('<p>Damaged parcels are refunded in full.</p>'));
  await new Promise<void>((r) => web?.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(web.address() as AddressInfo).port}`;
  fx = await startGatewayFixture({
    agent: { sensitivity: 'research', webHosts: [host] },
    runner: { sensitivity: 'research' },
  });
  client = await mcpClient(fx.gateway.socketPath);
  const page = answer(
    await client.callTool({ name: 'fetch', arguments: { url: `http://${host}/policy` } }),
  );
  assert.equal(page.isError, false);
  assert.equal(page.json['status'], 200);
  assert.match(String(page.json['body']), /Damaged parcels are refunded in full/);
  const other = answer(
    await client.callTool({ name: 'fetch', arguments: { url: 'http://example.com/' } }),
  );
  assert.equal(other.isError, true);
  assert.equal(other.json['status'], 'denied');
  assert.equal((other.json['error'] as { code: string }).code, 'host_not_allowed');
});

test('arguments the schema does not allow, and a tool not offered: a JSON-RPC error, nothing started, logged', async () => {
  fx = await startGatewayFixture({ runner: { capabilityTools: [cancelTool] } });
  client = await mcpClient(fx.gateway.socketPath);
  const bad = [
    { name: 'request_action', arguments: { ...refund, path: 'refunds' } },
    { name: 'request_action', arguments: { ...refund, purpose: '   ' } },
    { name: 'request_action', arguments: { ...refund, agentId: 'admin' } },
    {
      name: 'cancel_order',
      arguments: { order: 'A-1', items: 1.5, reason: 'late', purpose: 'x' },
    },
    {
      name: 'cancel_order',
      arguments: { order: 'A-1', items: 1, reason: 'bored', purpose: 'x' },
    },
    { name: 'send_message', arguments: {} },
  ];
  for (const b of bad) {
    const err = await rpcError(client.callTool(b));
    assert.equal(err.code, -32602, JSON.stringify(b));
    assert.match(err.message, /Invalid arguments for /);
  }
  // Not offered: fetch to an action agent, ask_agent to one that may ask nobody, an unknown name.
  for (const name of ['fetch', 'ask_agent', 'orders__query', 'shell']) {
    const err = await rpcError(client.callTool({ name, arguments: {} }));
    assert.equal(err.code, -32602);
    assert.match(err.message, new RegExp(`Tool ${name} cannot be called: no such tool`));
  }
  assert.equal(fx.actions.length, 0);
  assert.equal(fx.asks.length, 0);
  assert.equal(fx.messages.length, 0);
  assert.match(fx.logText(), /"tool":"orders__query".*mcp tool call refused/);
});

test('the endpoint: stateless (no session id), GET and DELETE 405, a body that is not JSON a parse error', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const headers = { accept: 'application/json, text/event-stream' };
  const init = await call(
    socket,
    'POST',
    '/mcp',
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    },
    headers,
  );
  assert.equal(init.status, 200, init.text);
  assert.equal(init.headers['mcp-session-id'], undefined);
  assert.equal(
    (init.json()['result'] as { serverInfo: { name: string } }).serverInfo.name,
    'airlock-gateway',
  );
  // A stateless endpoint takes a call without a session.
  const list = await call(
    socket,
    'POST',
    '/mcp',
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    headers,
  );
  assert.equal(list.status, 200, list.text);
  assert.ok(Array.isArray((list.json()['result'] as { tools: unknown[] }).tools));
  for (const method of ['GET', 'DELETE']) {
    const refused = await call(socket, method, '/mcp', undefined, headers);
    assert.equal(refused.status, 405);
    assert.equal(refused.headers['allow'], 'POST');
  }
  const garbled = await call(socket, 'POST', '/mcp', '{"jsonrpc":', headers);
  assert.equal(garbled.status, 400);
  assert.equal((garbled.json()['error'] as { code: number }).code, -32700);
});

test('tools.json stays true: the box’s own tools and the gateway’s own are every built-in name', async () => {
  const builtin = (await import('../../../sandbox/src/tools.json', { with: { type: 'json' } }))
    .default;
  // The runner is plain JavaScript: imported by a path the type checker does not follow.
  const runnerConfig = '../../../sandbox/src/config.js';
  const { LOCAL_TOOLS } = (await import(runnerConfig)) as {
    LOCAL_TOOLS: string[];
  };
  const seen = new Set<string>(LOCAL_TOOLS);
  for (const options of [
    { runner: { mayAsk: ['research'] } },
    { agent: { sensitivity: 'research' as const }, runner: { sensitivity: 'research' as const } },
  ]) {
    fx = await startGatewayFixture(options);
    client = await mcpClient(fx.gateway.socketPath);
    for (const t of (await client.listTools()).tools) seen.add(t.name);
    await client.close();
    await fx.close();
    client = fx = undefined;
  }
  assert.deepEqual([...seen].sort(), [...builtin].sort());
});
