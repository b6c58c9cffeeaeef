// The offline demo's script, through the real stand-in: with the research agent's answer the
// support agent looks order A-1001 up (orders__query with the demo's SQL and a purpose), writes its
// notes, asks for the refund with the amount, currency and words of the row it read back (in the
// shape an MCP client hands a tool result on), and tells Riley what it found; no row, no refund.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { demoOrderLookup, demoScript, lookedUpOrder } from '../../../src/dev/demo-model.ts';
import { startModelStandin, type ModelStandin } from '../../../src/dev/model-standin.ts';
import type { ChatMessage } from '../../../src/dev/model-standin.ts';
import { demoOrderRow as row } from '../../helpers/demo-order-row.ts';

let model: ModelStandin | undefined;
before(async () => {
  model = await startModelStandin({
    models: ['airlock-standin'],
    script: demoScript('http://127.0.0.1:4012/damage-policy'),
  });
});
after(() => model?.close());

interface Call {
  id: string;
  function: { name: string; arguments: string };
}

/** The stand-in's answer to `messages`: its tool calls (arguments parsed) and text. */
async function answer(messages: ChatMessage[]) {
  const res = await fetch(`${model?.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'airlock-standin', messages }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as {
    choices: { message: { content: string | null; tool_calls?: Call[] } }[];
  };
  const message = body.choices[0]?.message;
  const calls = (message?.tool_calls ?? []).map((c) => ({
    id: c.id,
    name: c.function.name,
    args: JSON.parse(c.function.arguments) as Record<string, unknown>,
  }));
  return { calls, text: message?.content ?? null };
}

// What an MCP client hands the model: the CallToolResult as JSON, the rows as JSON text inside.
const mcpResult = (rows: object[]) =>
  JSON.stringify({ content: [{ type: 'text', text: JSON.stringify(rows, null, 2) }] });

const start: ChatMessage[] = [
  { role: 'system', content: 'You are the support agent.' },
  { role: 'user', content: 'Answer from research-bot: damaged parcels are refunded in full.' },
];
const called = (id: string, name: string, args: object): ChatMessage => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
});

test('the support agent looks the order up, then asks for the refund from the row it read', async () => {
  const lookup = await answer(start);
  assert.deepEqual(
    lookup.calls.map((c) => [c.id, c.name, c.args['sql']]),
    [['demo-lookup', 'orders__query', demoOrderLookup]],
  );
  assert.match(String(lookup.calls[0]?.args['purpose']), /A-1001/);

  const looked = [
    ...start,
    called('demo-lookup', 'orders__query', lookup.calls[0]?.args ?? {}),
    { role: 'tool', tool_call_id: 'demo-lookup', content: mcpResult([row]) },
  ];
  assert.deepEqual(lookedUpOrder(looked), row);
  const notes = await answer(looked);
  assert.deepEqual(
    notes.calls.map((c) => c.name),
    ['shell'],
  );

  const noted = [
    ...looked,
    called('demo-notes', 'shell', notes.calls[0]?.args ?? {}),
    { role: 'tool', tool_call_id: 'demo-notes', content: 'noted' },
  ];
  const refund = await answer(noted);
  const [call] = refund.calls;
  assert.equal(call?.name, 'request_action');
  assert.deepEqual(call?.args['body'], {
    order: 'A-1001',
    amount: 120,
    currency: 'EUR',
    reason: 'Parcel arrived damaged (Ceramic teapot, blue)',
  });
  assert.match(
    String(call?.args['purpose']),
    /orders database says: Ceramic teapot, blue, 120 EUR, delivered on 2026-12-05, customer Riley Requester/,
  );

  // Riley hears what was found.
  const waiting = await answer([
    ...noted,
    called('demo-refund', 'request_action', call?.args ?? {}),
    { role: 'tool', tool_call_id: 'demo-refund', content: '{"status":"pending","id":"x"}' },
  ]);
  assert.match(
    waiting.text ?? '',
    /^I found your order A-1001 \(Ceramic teapot, blue, 120 EUR, delivered on 2026-12-05\)/,
  );
});

test('no row for the order: the agent says so and asks for no refund', async () => {
  const messages: ChatMessage[] = [
    ...start,
    called('demo-lookup', 'orders__query', { sql: demoOrderLookup, purpose: 'check' }),
    { role: 'tool', tool_call_id: 'demo-lookup', content: mcpResult([]) },
  ];
  assert.equal(lookedUpOrder(messages), undefined);
  const reply = await answer(messages);
  assert.deepEqual(reply.calls, []);
  assert.match(reply.text ?? '', /could not find order A-1001/);
});
