// The stand-in model speaks the OpenAI chat-completions wire protocol: checked here as a client
// reads it (the SSE stream parsed event by event, tool-call deltas reassembled by index), against
// the shapes in the OpenAI API reference: `chat.completion` with `choices[0].message` and `usage`;
// `chat.completion.chunk` events with deltas, `finish_reason` on the last choice chunk, a usage
// chunk with empty `choices` before `data: [DONE]` when `stream_options.include_usage` is set.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startModelStandin, type ModelStandin } from '../../../src/dev/model-standin.ts';

let model: ModelStandin;
const KEY = 'sk-standin-test';

before(async () => {
  model = await startModelStandin({ apiKey: KEY, models: ['standin-1', 'standin-2'] });
});
after(() => model?.close());

function post(body: object, key = KEY): Promise<Response> {
  return fetch(`${model.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}

/** Parse an SSE body as a client does: events split on blank lines, `data:` payloads. */
async function sseEvents(res: Response): Promise<string[]> {
  const events: string[] = [];
  let buffer = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffer += Buffer.from(chunk).toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      buffer = buffer.slice(end + 2);
      events.push(data);
    }
  }
  assert.equal(buffer, '', 'the stream ends on an event boundary');
  return events;
}

test('GET /v1/models lists the served model ids', async () => {
  const res = await fetch(`${model.baseUrl}/models`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  assert.equal(res.status, 200);
  const list = (await res.json()) as { object: string; data: { id: string; object: string }[] };
  assert.equal(list.object, 'list');
  assert.deepEqual(
    list.data.map((m) => [m.id, m.object]),
    [
      ['standin-1', 'model'],
      ['standin-2', 'model'],
    ],
  );
});

test('non-streaming: text after a matching user message, with usage; the request is recorded', async () => {
  model.setScript([
    { name: 'greet', afterUser: 'hello', text: 'Hi there.', usage: { prompt: 7, completion: 3 } },
  ]);
  const res = await post({
    model: 'standin-1',
    messages: [{ role: 'user', content: 'hello bot' }],
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body['object'], 'chat.completion');
  assert.match(String(body['id']), /^chatcmpl-/);
  assert.equal(body['model'], 'standin-1');
  assert.deepEqual(body['choices'], [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hi there.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ]);
  assert.deepEqual(body['usage'], { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  const seen = model.requests.at(-1);
  assert.equal(seen?.headers.authorization, `Bearer ${KEY}`);
  assert.deepEqual(seen?.body?.['messages'], [{ role: 'user', content: 'hello bot' }]);
  assert.deepEqual(model.used.at(-1), 'greet');
});

test('non-streaming tool calls, then the answer after the tool result', async () => {
  model.setScript([
    {
      afterUser: 'refund',
      toolCalls: [{ id: 'call_1', name: 'request_action', arguments: { amount: 5 } }],
    },
    { afterToolResult: 'call_1', text: 'Requested.' },
  ]);
  const first = (await (
    await post({ model: 'standin-1', messages: [{ role: 'user', content: 'please refund' }] })
  ).json()) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
  assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
  assert.equal(first.choices[0]?.message['content'], null);
  assert.deepEqual(first.choices[0]?.message['tool_calls'], [
    {
      id: 'call_1',
      type: 'function',
      function: { name: 'request_action', arguments: '{"amount":5}' },
    },
  ]);
  const second = (await (
    await post({
      model: 'standin-1',
      messages: [
        { role: 'user', content: 'please refund' },
        { role: 'assistant', content: null, tool_calls: first.choices[0]?.message['tool_calls'] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"status":"pending"}' },
      ],
    })
  ).json()) as { choices: { message: { content: string } }[] };
  assert.equal(second.choices[0]?.message.content, 'Requested.');
});

test('streaming: role, content pieces, tool-call deltas by index, finish, usage chunk, [DONE]', async () => {
  model.setScript([
    {
      afterUser: 'go',
      text: 'Working on it now.',
      toolCalls: [{ id: 'call_a', name: 'shell', arguments: { cmd: 'ls -la /workspace' } }],
      usage: { prompt: 20, completion: 9 },
    },
  ]);
  const res = await post({
    model: 'standin-2',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'go' }],
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = await sseEvents(res);
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
  let text = '';
  const calls: { id?: string; name?: string; args: string }[] = [];
  let finish: unknown;
  for (const c of chunks) {
    assert.equal(c['object'], 'chat.completion.chunk');
    assert.equal(c['model'], 'standin-2');
    assert.equal(c['id'], chunks[0]?.['id'], 'one id across the stream');
    const choice = (c['choices'] as Record<string, unknown>[])[0];
    if (!choice) continue;
    const delta = choice['delta'] as {
      content?: string;
      tool_calls?: {
        index: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }[];
    };
    text += delta.content ?? '';
    for (const t of delta.tool_calls ?? []) {
      const call = (calls[t.index] ??= { args: '' });
      call.id ??= t.id;
      call.name ??= t.function?.name;
      call.args += t.function?.arguments ?? '';
    }
    if (choice['finish_reason'] !== null) finish = choice['finish_reason'];
  }
  assert.equal(
    (chunks[0]?.['choices'] as { delta: { role?: string } }[])[0]?.delta.role,
    'assistant',
  );
  assert.ok(chunks.length > 6, 'content and arguments arrive in several chunks');
  assert.equal(text, 'Working on it now.');
  assert.deepEqual(calls, [{ id: 'call_a', name: 'shell', args: '{"cmd":"ls -la /workspace"}' }]);
  assert.equal(finish, 'tool_calls');
  const last = chunks.at(-1);
  assert.deepEqual(last?.['choices'], []);
  assert.deepEqual(last?.['usage'], { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 });
  assert.ok(
    chunks.slice(0, -1).every((c) => c['usage'] === null),
    'other chunks carry usage: null',
  );
});

test('streaming without include_usage sends no usage chunk', async () => {
  model.setScript([{ afterUser: 'x', text: 'ok' }]);
  const events = await sseEvents(
    await post({ model: 'standin-1', stream: true, messages: [{ role: 'user', content: 'x' }] }),
  );
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
  assert.ok(chunks.every((c) => !('usage' in c)));
});

test('an unmatched conversation, an unknown model, a wrong key: OpenAI-shaped errors', async () => {
  model.setScript([{ afterUser: 'only this', text: 'x' }]);
  const unmatched = await post({
    model: 'standin-1',
    messages: [{ role: 'user', content: 'other' }],
  });
  assert.equal(unmatched.status, 400);
  const err = (await unmatched.json()) as {
    error: { code: string; message: string; type: string };
  };
  assert.equal(err.error.code, 'no_script_step');
  assert.equal(err.error.type, 'invalid_request_error');
  assert.match(err.error.message, /no unused script step matches .*user message "other"/);

  const unknown = await post({
    model: 'gpt-nope',
    messages: [{ role: 'user', content: 'only this' }],
  });
  assert.equal(unknown.status, 404);
  assert.equal(
    ((await unknown.json()) as { error: { code: string } }).error.code,
    'model_not_found',
  );

  const badKey = await post(
    { model: 'standin-1', messages: [{ role: 'user', content: 'only this' }] },
    'sk-wrong',
  );
  assert.equal(badKey.status, 401);
  assert.equal(
    ((await badKey.json()) as { error: { code: string } }).error.code,
    'invalid_api_key',
  );
});

test('a step is used once: the same conversation again is unmatched', async () => {
  model.setScript([{ afterUser: 'once', text: 'done' }]);
  const body = { model: 'standin-1', messages: [{ role: 'user', content: 'once' }] };
  assert.equal((await post(body)).status, 200);
  assert.equal((await post(body)).status, 400);
});
