// The stand-in model speaks OpenAI's Responses API and Anthropic's Messages API from the same
// script as chat completions, checked as a client reads them against the shapes in the public API
// references: Responses' `response` object (`output` items `message`/`output_text` and
// `function_call`, usage as input/output tokens) and its typed event stream; Anthropic's `message`
// (`text` and `tool_use` blocks, `stop_reason`) and its event stream; each protocol's key and errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startModelStandin, type ModelStandin } from '../../../src/dev/model-standin.ts';

let model: ModelStandin;
const KEY = 'sk-standin-test';

before(async () => {
  model = await startModelStandin({ apiKey: KEY, chunkChars: 5 });
});
after(() => model?.close());

const refund = [
  {
    name: 'ask',
    afterUser: 'refund',
    text: 'Asking now.',
    toolCalls: [{ id: 'call_9', name: 'request_action', arguments: { amount: 5, order: 'A-1' } }],
    usage: { prompt: 11, completion: 7 },
  },
  { name: 'done', afterToolResult: 'call_9', text: 'The refund is requested.' },
];

function post(path: string, body: object, headers: Record<string, string>): Promise<Response> {
  return fetch(`${model.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}
const openai = { authorization: `Bearer ${KEY}` };
const anthropic = { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' };

/** Server-sent events as a client splits them: each event's name and parsed data. */
async function events(res: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await res.text();
  assert.ok(text.endsWith('\n\n'), 'the stream ends on an event boundary');
  return text
    .trim()
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data: unknown = JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}');
      return { event, data: data as Record<string, unknown> };
    });
}

test('Responses, whole: a message and a function call, then the answer after the function output', async () => {
  model.setScript(refund);
  const res = await post(
    '/responses',
    { model: 'standin-1', instructions: 'Be brief.', input: 'please refund A-1' },
    openai,
  );
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body['object'], 'response');
  assert.equal(body['status'], 'completed');
  assert.match(String(body['id']), /^resp_/);
  const [message, call] = body['output'] as Record<string, unknown>[];
  assert.equal(message?.['type'], 'message');
  assert.equal(message?.['role'], 'assistant');
  assert.deepEqual(message?.['content'], [
    { type: 'output_text', text: 'Asking now.', annotations: [], logprobs: [] },
  ]);
  assert.equal(call?.['type'], 'function_call');
  assert.equal(call?.['call_id'], 'call_9');
  assert.equal(call?.['name'], 'request_action');
  assert.equal(call?.['arguments'], '{"amount":5,"order":"A-1"}');
  assert.match(String(call?.['id']), /^fc_/);
  const usage = body['usage'] as Record<string, unknown>;
  assert.deepEqual(
    [usage['input_tokens'], usage['output_tokens'], usage['total_tokens']],
    [11, 7, 18],
  );
  // The client sends the output back as input items, with the function's output.
  const second = await post(
    '/responses',
    {
      model: 'standin-1',
      input: [
        { role: 'user', content: 'please refund A-1' },
        message,
        call,
        { type: 'function_call_output', call_id: 'call_9', output: '{"status":"pending"}' },
      ],
    },
    openai,
  );
  const text = ((await second.json()) as { output: { content: { text: string }[] }[] }).output[0]
    ?.content[0]?.text;
  assert.equal(text, 'The refund is requested.');
  assert.deepEqual(model.used.slice(-2), ['ask', 'done']);
});

test('Responses, streamed: typed events in order, text and arguments in deltas, usage on completion', async () => {
  model.setScript(refund);
  const res = await post(
    '/responses',
    { model: 'standin-1', input: [{ role: 'user', content: 'refund' }], stream: true },
    openai,
  );
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const all = await events(res);
  for (const e of all) assert.equal(e.event, e.data['type'], 'each event is named by its type');
  assert.deepEqual(
    all.map((e) => e.data['sequence_number']),
    all.map((_, i) => i),
  );
  const types = all.map((e) => e.event);
  assert.deepEqual(types.slice(0, 4), [
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
  ]);
  assert.equal(types.at(-1), 'response.completed');
  const joined = (type: string) =>
    all
      .filter((e) => e.event === type)
      .map((e) => e.data['delta'])
      .join('');
  assert.equal(joined('response.output_text.delta'), 'Asking now.');
  assert.equal(joined('response.function_call_arguments.delta'), '{"amount":5,"order":"A-1"}');
  const added = all.filter((e) => e.event === 'response.output_item.added').at(-1)?.data;
  assert.deepEqual(
    [added?.['output_index'], (added?.['item'] as Record<string, unknown>)['name']],
    [1, 'request_action'],
  );
  const done = all.at(-1)?.data['response'] as { usage: { input_tokens: number }; output: [] };
  assert.equal(done.usage.input_tokens, 11);
  assert.equal(done.output.length, 2);
});

test('Anthropic, whole: text and tool_use blocks, then the answer after the tool_result', async () => {
  model.setScript(refund);
  const first = await post(
    '/messages',
    {
      model: 'standin-1',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'refund A-1' }],
    },
    anthropic,
  );
  assert.equal(first.status, 200);
  const message = (await first.json()) as Record<string, unknown>;
  assert.equal(message['type'], 'message');
  assert.equal(message['stop_reason'], 'tool_use');
  assert.deepEqual(message['content'], [
    { type: 'text', text: 'Asking now.' },
    { type: 'tool_use', id: 'call_9', name: 'request_action', input: { amount: 5, order: 'A-1' } },
  ]);
  const usage = message['usage'] as Record<string, unknown>;
  assert.deepEqual([usage['input_tokens'], usage['output_tokens']], [11, 7]);
  const second = await post(
    '/messages',
    {
      model: 'standin-1',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'refund A-1' },
        { role: 'assistant', content: message['content'] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_9', content: 'pending' }],
        },
      ],
    },
    anthropic,
  );
  const answer = (await second.json()) as { content: unknown; stop_reason: string };
  assert.deepEqual(answer.content, [{ type: 'text', text: 'The refund is requested.' }]);
  assert.equal(answer.stop_reason, 'end_turn');
});

test('Anthropic, streamed: message_start, blocks with text_delta and input_json_delta, message_delta, message_stop', async () => {
  model.setScript(refund);
  const res = await post(
    '/messages',
    {
      model: 'standin-1',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'refund' }] }],
    },
    anthropic,
  );
  const all = await events(res);
  for (const e of all) assert.equal(e.event, e.data['type']);
  const types = all.map((e) => e.event);
  assert.equal(types[0], 'message_start');
  assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
  const start = all[0]?.data['message'] as { usage: { input_tokens: number }; content: [] };
  assert.equal(start.usage.input_tokens, 11);
  assert.deepEqual(start.content, []);
  const blocks = all.filter((e) => e.event === 'content_block_start').map((e) => e.data);
  assert.deepEqual(blocks, [
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'call_9', name: 'request_action', input: {} },
    },
  ]);
  const deltas = (kind: string, key: string) =>
    all
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => e.data['delta'] as Record<string, string>)
      .filter((d) => d['type'] === kind)
      .map((d) => d[key])
      .join('');
  assert.equal(deltas('text_delta', 'text'), 'Asking now.');
  assert.equal(deltas('input_json_delta', 'partial_json'), '{"amount":5,"order":"A-1"}');
  assert.deepEqual(all.at(-2)?.data, {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 7 },
  });
});

test('each protocol checks its own key; Anthropic also wants anthropic-version; errors in each shape', async () => {
  model.setScript(refund);
  const usedBefore = model.used.length;
  const body = { model: 'standin-1', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
  const bearerOnly = await post('/messages', body, {
    ...openai,
    'anthropic-version': '2023-06-01',
  });
  assert.equal(bearerOnly.status, 401);
  assert.deepEqual(await bearerOnly.json(), {
    type: 'error',
    error: { type: 'authentication_error', message: 'invalid x-api-key' },
  });
  const noVersion = await post('/messages', body, { 'x-api-key': KEY });
  assert.equal(noVersion.status, 400);
  assert.match(JSON.stringify(await noVersion.json()), /anthropic-version/);
  const noMax = await post('/messages', { ...body, max_tokens: undefined }, anthropic);
  assert.equal(noMax.status, 400);
  const wrong = await post('/responses', { model: 'standin-1', input: 'x' }, { 'x-api-key': KEY });
  assert.equal(wrong.status, 401);
  const unknown = await post('/responses', { model: 'gpt-x', input: 'refund' }, openai);
  assert.equal(unknown.status, 404);
  assert.equal(
    ((await unknown.json()) as { error: { code: string } }).error.code,
    'model_not_found',
  );
  assert.equal(model.used.length, usedBefore, 'no step was used by a refused request');
});
