// The Responses and Anthropic Messages endpoints forward an allow-list, like chat completions
// (model-allow-list.test.ts): the provider's own tools (web search, remote MCP, code execution),
// state kept at the provider (previous responses, stored prompts), images and files by URL, and
// unknown keys at any depth are refused with a 400 naming the field, and the upstream never sees
// them. What the clients send (the Agents SDK's and Anthropic SDK's shapes) goes through as is.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { call, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const agent = { modelApis: ['responses', 'anthropic-messages'] as const };
const ANTHROPIC = '/anthropic/v1/messages';
const headers = { 'anthropic-version': '2023-06-01' };
const attacker = 'https://attacker.example/collect?d=c2VjcmV0';
const pixel =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

const r = { model: 'standin-1', input: 'hi' };
const a = { model: 'standin-1', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };
const user = (content: unknown) => ({ role: 'user', content });

// Each route, shape, and the words the refusal must name.
const refused: [string, string, Record<string, unknown>, RegExp][] = [
  [
    '/v1/responses',
    'an unknown top-level field',
    { ...r, extra_body: { url: attacker } },
    /"extra_body"/,
  ],
  [
    '/v1/responses',
    'a previous response',
    { ...r, previous_response_id: 'resp_1' },
    /previous_response_id/,
  ],
  ['/v1/responses', 'a conversation', { ...r, conversation: 'conv_1' }, /"conversation"/],
  ['/v1/responses', 'a stored prompt', { ...r, prompt: { id: 'pmpt_1' } }, /"prompt"/],
  ['/v1/responses', 'store: true', { ...r, store: true }, /store: true/],
  ['/v1/responses', 'metadata', { ...r, metadata: { a: 'b' } }, /"metadata"/],
  [
    '/v1/responses',
    'web search',
    { ...r, tools: [{ type: 'web_search' }] },
    /tools\.0\.type.*"web_search"/,
  ],
  [
    '/v1/responses',
    'a remote MCP server',
    { ...r, tools: [{ type: 'mcp', server_label: 'x', server_url: attacker }] },
    /tools\.0\.type.*"mcp"/,
  ],
  [
    '/v1/responses',
    'an image by URL',
    { ...r, input: [user([{ type: 'input_image', image_url: attacker }])] },
    /input\.0\.content\.0\.image_url.*data: URL/,
  ],
  [
    '/v1/responses',
    'a file by URL',
    { ...r, input: [user([{ type: 'input_file', file_url: attacker }])] },
    /content type.*"input_file"/,
  ],
  [
    '/v1/responses',
    'an item reference',
    { ...r, input: [{ type: 'item_reference', id: 'msg_1' }] },
    /"item_reference"/,
  ],
  [
    '/v1/responses',
    'include beyond reasoning',
    { ...r, include: ['file_search_call.results'] },
    /include\.0/,
  ],
  [
    ANTHROPIC,
    'an unknown top-level field',
    { ...a, mcp_servers: [{ url: attacker }] },
    /"mcp_servers"/,
  ],
  [
    ANTHROPIC,
    'metadata beyond the user id',
    { ...a, metadata: { user_id: 'u', url: attacker } },
    /metadata.*"url"/,
  ],
  [ANTHROPIC, 'a container', { ...a, container: 'c1' }, /"container"/],
  [
    ANTHROPIC,
    'a server tool',
    { ...a, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] },
    /tools\.0.*"max_uses"/,
  ],
  [
    ANTHROPIC,
    'an image by URL',
    { ...a, messages: [user([{ type: 'image', source: { type: 'url', url: attacker } }])] },
    /image source.*"url"/,
  ],
  [
    ANTHROPIC,
    'a document',
    { ...a, messages: [user([{ type: 'document', source: { type: 'url', url: attacker } }])] },
    /content block type.*"document"/,
  ],
  [
    ANTHROPIC,
    'an unknown key in a block',
    { ...a, messages: [user([{ type: 'text', text: 'x', citations: [{ url: attacker }] }])] },
    /messages\.0\.content\.0.*"citations"/,
  ],
];

test('every shape outside the Responses and Messages allow-lists is refused with a 400 naming it; the upstream sees none', async () => {
  fx = await startGatewayFixture({ agent: { ...agent, modelApis: [...agent.modelApis] } });
  for (const [path, name, body, names] of refused) {
    const answer = await call(fx.gateway.socketPath, 'POST', path, body, headers);
    assert.equal(answer.status, 400, `${name}: ${answer.text}`);
    const error = answer.json()['error'] as { code: string; message: string; type: string };
    assert.equal(error.code, 'field_not_allowed', `${name}: ${answer.text}`);
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, names, name);
    assert.ok(!error.message.includes('c2VjcmV0'), `${name}: the refusal does not echo data`);
  }
  assert.equal(fx.model.requests.length, 0, 'no refused shape reached the upstream');
});

test('what the clients send goes through unchanged (store set to false): items, tools, reasoning, thinking, images', async () => {
  fx = await startGatewayFixture({
    agent: { ...agent, modelApis: [...agent.modelApis] },
    script: [{ afterToolResult: 'call_1', text: 'It was delivered.', reusable: true }],
  });
  // As the OpenAI Agents SDK builds it (undefined fields dropped by JSON).
  const responses = {
    model: 'standin-1',
    instructions: 'You help with parcels.',
    input: [
      { role: 'user', content: 'where is A-1?' },
      { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'opaque' },
      {
        id: 'fc_1',
        type: 'function_call',
        name: 'track',
        call_id: 'call_1',
        arguments: '{"order":"A-1"}',
        status: 'completed',
      },
      { type: 'function_call_output', call_id: 'call_1', output: '{"status":"delivered"}' },
    ],
    include: ['reasoning.encrypted_content'],
    tools: [
      {
        type: 'function',
        name: 'track',
        description: 'Track an order.',
        parameters: { type: 'object', properties: { order: { type: 'string' } } },
        strict: true,
      },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    temperature: 0.2,
    max_output_tokens: 500,
    text: { format: { type: 'text' }, verbosity: 'low' },
    reasoning: { effort: 'low', summary: 'auto' },
    truncation: 'auto',
    stream: false,
    store: false,
  };
  const first = await call(fx.gateway.socketPath, 'POST', '/v1/responses', responses);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(fx.model.requests.at(-1)?.body, responses);
  const anthropic = {
    model: 'standin-1',
    max_tokens: 1024,
    system: [
      { type: 'text', text: 'You help with parcels.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'where is A-1?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pixel } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Look it up.', signature: 'sig' },
          { type: 'tool_use', id: 'call_1', name: 'track', input: { order: 'A-1' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'call_1',
            content: [{ type: 'text', text: 'delivered' }],
          },
        ],
      },
    ],
    tools: [
      {
        name: 'track',
        description: 'Track an order.',
        input_schema: { type: 'object', properties: { order: { type: 'string' } } },
      },
    ],
    tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    thinking: { type: 'enabled', budget_tokens: 512 },
    temperature: 1,
    stop_sequences: ['\n\nHuman:'],
    metadata: { user_id: 'session-7' },
  };
  const second = await call(fx.gateway.socketPath, 'POST', ANTHROPIC, anthropic, headers);
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(fx.model.requests.at(-1)?.body, anthropic);
});
