// The model endpoint forwards an allow-list, never whatever the agent sends: request fields that
// make the provider reach out (web search, plugins, predicted outputs…), message parts that carry
// a URL for the provider to fetch (an image by URL, files, audio, video) and unknown keys at any
// depth are refused with a 400 naming the field, and the upstream stand-in never sees them. What
// the runner sends (text, tools, tool calls and results, images as data: URLs) goes through as is.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { call, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const user = (content: unknown) => ({ role: 'user', content });
const base = { model: 'standin-1', messages: [user('hi')] };
const pixel =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const attacker = 'https://attacker.example/collect?d=c2VjcmV0';

// Each shape, the words the refusal must name, and why it is refused.
const refused: [string, Record<string, unknown>, RegExp][] = [
  [
    'web search',
    { ...base, web_search_options: { search_context_size: 'low' } },
    /web_search_options/,
  ],
  ['plugins', { ...base, plugins: [{ id: 'web' }] }, /plugins/],
  [
    'predicted output',
    { ...base, prediction: { type: 'content', content: attacker } },
    /prediction/,
  ],
  ['extra body', { ...base, extra_body: { url: attacker } }, /extra_body/],
  ['n choices', { ...base, n: 8 }, /\bn\b/],
  [
    'image by URL',
    { ...base, messages: [user([{ type: 'image_url', image_url: { url: attacker } }])] },
    /messages\.0\.content\.0\.image_url\.url.*data: URL/,
  ],
  [
    'image by plain http URL',
    {
      ...base,
      messages: [user([{ type: 'image_url', image_url: { url: 'http://10.0.0.1/x.png' } }])],
    },
    /image_url\.url.*data: URL/,
  ],
  [
    'a data: URL that is not an image',
    {
      ...base,
      messages: [user([{ type: 'image_url', image_url: { url: 'data:text/html,<b>x</b>' } }])],
    },
    /image_url\.url/,
  ],
  [
    'file part with a URL',
    { ...base, messages: [user([{ type: 'file', file: { file_url: attacker } }])] },
    /messages\.0\.content\.0\.type.*"file"/,
  ],
  [
    'file part by id',
    { ...base, messages: [user([{ type: 'file', file: { file_id: 'file-abc' } }])] },
    /"file"/,
  ],
  [
    'audio part',
    {
      ...base,
      messages: [user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }])],
    },
    /"input_audio"/,
  ],
  [
    'video part',
    { ...base, messages: [user([{ type: 'video_url', video_url: { url: attacker } }])] },
    /"video_url"/,
  ],
  [
    'an image in a tool result',
    {
      ...base,
      messages: [
        {
          role: 'tool',
          tool_call_id: 'c1',
          content: [{ type: 'image_url', image_url: { url: pixel } }],
        },
      ],
    },
    /messages\.0\.content\.0\.type.*"image_url"/,
  ],
  [
    'an unknown key in a part',
    { ...base, messages: [user([{ type: 'text', text: 'x', url: attacker }])] },
    /messages\.0\.content\.0.*"url"/,
  ],
  [
    'an unknown key in a message',
    { ...base, messages: [{ role: 'user', content: 'x', attachments: [attacker] }] },
    /messages\.0.*"attachments"/,
  ],
  [
    'a legacy function message',
    { ...base, messages: [{ role: 'function', name: 'f', content: 'x' }] },
    /role.*"function"/,
  ],
  [
    'a provider-side tool',
    { ...base, tools: [{ type: 'web_search_preview' }] },
    /tools\.0\.type.*"web_search_preview"/,
  ],
  [
    'an unknown key in a tool call',
    {
      ...base,
      messages: [
        user('x'),
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' }, url: attacker },
          ],
        },
      ],
    },
    /messages\.1\.tool_calls\.0.*"url"/,
  ],
  [
    'stream options beyond usage',
    { ...base, stream_options: { include_obfuscation: true } },
    /include_obfuscation/,
  ],
];

test('every request shape outside the allow-list is refused with a 400 naming the field; the upstream never sees one', async () => {
  fx = await startGatewayFixture();
  for (const [name, body, names] of refused) {
    const answer = await call(fx.gateway.socketPath, 'POST', '/v1/chat/completions', body);
    assert.equal(answer.status, 400, `${name}: ${answer.text}`);
    const err = answer.json() as { error: { code: string; message: string; type: string } };
    assert.equal(err.error.code, 'field_not_allowed', `${name}: ${answer.text}`);
    assert.equal(err.error.type, 'invalid_request_error');
    assert.match(err.error.message, names, name);
    assert.ok(!err.error.message.includes('c2VjcmV0'), `${name}: the refusal does not echo data`);
  }
  assert.equal(fx.model.requests.length, 0, 'no refused shape reached the upstream');
});

test('what the runner sends goes through unchanged: text, tools, tool calls and results, data: images', async () => {
  fx = await startGatewayFixture({ script: [{ afterUser: 'look', text: 'a red dot' }] });
  const body = {
    model: 'standin-1',
    messages: [
      { role: 'system', content: 'You help with parcels.' },
      { role: 'user', content: 'where is A-1?' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'I should look it up.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'track', arguments: '{"order":"A-1"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"status":"delivered"}' },
      { role: 'assistant', content: 'It was delivered.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look at this' },
          { type: 'image_url', image_url: { url: pixel, detail: 'low' } },
        ],
      },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'track',
          description: 'Track an order.',
          parameters: { type: 'object', properties: { order: { type: 'string' } } },
          strict: true,
        },
      },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    temperature: 0.2,
    top_p: 0.9,
    frequency_penalty: 0,
    presence_penalty: 0,
    max_tokens: 500,
    max_completion_tokens: 500,
    stop: ['\n\nUser:'],
    seed: 7,
    response_format: { type: 'text' },
    reasoning_effort: 'low',
    stream: false,
  };
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/chat/completions', body);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(fx.model.requests.at(-1)?.body, body);
});
