// The gateway proxies OpenAI's Responses API and Anthropic's Messages API as it does chat
// completions, against real components (an encrypted vault holding a canary key, the stand-in model
// checking each protocol's key header, the gateway on its unix socket), with raw HTTP in each wire
// format (neither the `openai` nor the `@anthropic-ai/sdk` package is installed here): the key is
// injected as the protocol takes it and the box's dropped, answers come back whole or streamed
// (and are what the turn records), usage counts, and models, budget and unknown fields are refused.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ScriptStep } from '../../../src/dev/model-standin.ts';
import type { GatewayAgent } from '../../../src/gateway/types.ts';
import { assertNoLeak } from '../vault/helpers.ts';
import {
  call,
  CANARY,
  gate,
  open,
  PLACEHOLDER,
  SseReader,
  startGatewayFixture,
  type GatewayFixture,
} from '../../helpers/gateway.ts';

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const both: Partial<GatewayAgent> = {
  modelApis: ['chat-completions', 'responses', 'anthropic-messages'],
};
const refund: ScriptStep[] = [
  {
    name: 'ask',
    afterUser: 'refund',
    text: 'Asking now.',
    toolCalls: [{ id: 'call_9', name: 'request_action', arguments: { amount: 5 } }],
    usage: { prompt: 11, completion: 7 },
  },
  {
    name: 'done',
    afterToolResult: 'call_9',
    text: `Requested; the key was ${CANARY}`,
    usage: { prompt: 20, completion: 5 },
  },
];
/** What the turn records of the first step's answer. */
const asked = {
  text: 'Asking now.',
  toolCalls: [{ name: 'request_action', arguments: '{"amount":5}' }],
};
const ANTHROPIC = '/anthropic/v1/messages';
/** What an Anthropic client in the box sends: its own key, a version, a beta it would like. */
const anthropicHeaders = {
  'x-api-key': PLACEHOLDER,
  'anthropic-version': '2023-01-01',
  'anthropic-beta': 'mcp-client-2025-04-04',
};

/** The Anthropic conversation `body` went on with: the model's `content`, then the tool's result. */
function afterTool(fx: GatewayFixture, body: { messages: object[] }, content: unknown) {
  const result = { type: 'tool_result', tool_use_id: 'call_9', content: 'ok' };
  const messages = [
    ...body.messages,
    { role: 'assistant', content },
    { role: 'user', content: [result] },
  ];
  return call(fx.gateway.socketPath, 'POST', ANTHROPIC, { ...body, messages }, anthropicHeaders);
}

/** The `data:` payloads of an SSE body, parsed. */
const events = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);

test('Responses: the vault key goes upstream, store is off, the answer and its tool call are recorded, usage counts', async () => {
  fx = await startGatewayFixture({ agent: both, script: refund });
  const first = await call(fx.gateway.socketPath, 'POST', '/v1/responses', {
    model: 'standin-1',
    instructions: 'Be brief.',
    input: [{ role: 'user', content: 'please refund' }],
  });
  assert.equal(first.status, 200, first.text);
  const seen = fx.model.requests.at(-1);
  assert.equal(seen?.path, '/v1/responses');
  assert.equal(seen?.headers.authorization, `Bearer ${CANARY}`);
  assert.ok(!JSON.stringify(seen?.headers).includes(PLACEHOLDER), 'the box key is dropped');
  assert.equal(seen?.body?.['store'], false);
  const output = first.json()['output'] as Record<string, unknown>[];
  assert.deepEqual(fx.answers.at(-1), asked);
  assert.equal(fx.gateway.tokensUsed, 18);
  const second = await call(fx.gateway.socketPath, 'POST', '/v1/responses', {
    model: 'standin-1',
    input: [
      { role: 'user', content: 'please refund' },
      ...output,
      { type: 'function_call_output', call_id: 'call_9', output: '{"status":"pending"}' },
    ],
  });
  assert.equal(second.status, 200, second.text);
  assert.match(second.text, /Requested; the key was \[redacted\]/);
  assertNoLeak(second.text, CANARY, 'the answer');
  assert.equal(fx.answers.at(-1)?.text, 'Requested; the key was [redacted]');
  assert.equal(fx.gateway.tokensUsed, 18 + 25);
});

test('Responses streamed: events pass through, the tool call round trip works, usage comes from response.completed', async () => {
  fx = await startGatewayFixture({ agent: both, script: refund, chunkChars: 4 });
  const first = await call(fx.gateway.socketPath, 'POST', '/v1/responses', {
    model: 'standin-1',
    input: 'refund please',
    stream: true,
  });
  assert.equal(first.status, 200);
  assert.match(String(first.headers['content-type']), /^text\/event-stream/);
  assert.match(first.text, /^event: response\.created\n/);
  const all = events(first.text);
  assert.equal(all.at(-1)?.['type'], 'response.completed');
  assert.ok(all.filter((e) => e['type'] === 'response.function_call_arguments.delta').length > 1);
  assert.deepEqual(fx.answers.at(-1), asked);
  assert.equal(fx.gateway.tokensUsed, 18);
  const completed = all.at(-1)?.['response'] as { output: Record<string, unknown>[] };
  const second = await call(fx.gateway.socketPath, 'POST', '/v1/responses', {
    model: 'standin-1',
    stream: true,
    input: [
      { role: 'user', content: 'refund please' },
      ...completed.output,
      { type: 'function_call_output', call_id: 'call_9', output: 'pending' },
    ],
  });
  // An echo whole in one event is scrubbed (one spelled out across deltas is not: model-proxy.ts).
  const done = events(second.text).find((e) => e['type'] === 'response.output_text.done');
  assert.equal(done?.['text'], 'Requested; the key was [redacted]');
  assert.equal(fx.answers.at(-1)?.text, 'Requested; the key was [redacted]');
  assertNoLeak(second.text, CANARY, 'the stream');
  assert.equal(fx.gateway.tokensUsed, 43);
});

test('Anthropic: the key goes as x-api-key with the gateway’s version; the box’s key, version and beta stay behind', async () => {
  fx = await startGatewayFixture({ agent: both, script: refund });
  const body = {
    model: 'standin-1',
    max_tokens: 200,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'refund please' }],
  };
  const first = await call(fx.gateway.socketPath, 'POST', ANTHROPIC, body, anthropicHeaders);
  assert.equal(first.status, 200, first.text);
  const seen = fx.model.requests.at(-1);
  assert.equal(seen?.path, '/v1/messages');
  assert.equal(seen?.headers['x-api-key'], CANARY);
  assert.equal(seen?.headers['anthropic-version'], '2023-06-01');
  assert.equal(seen?.headers['anthropic-beta'], undefined);
  assert.equal(seen?.headers.authorization, undefined);
  assert.ok(!JSON.stringify(seen?.headers).includes(PLACEHOLDER));
  const message = first.json();
  assert.equal(message['stop_reason'], 'tool_use');
  assert.deepEqual(fx.answers.at(-1), asked);
  assert.equal(fx.gateway.tokensUsed, 18);
  const second = await afterTool(fx, body, message['content']);
  assert.equal(second.status, 200, second.text);
  assertNoLeak(second.text, CANARY, 'the answer');
  assert.equal(fx.answers.at(-1)?.text, 'Requested; the key was [redacted]');
  assert.equal(fx.gateway.tokensUsed, 43);
});

test('Anthropic streamed: the tool_use input arrives in pieces; usage from message_start and message_delta', async () => {
  fx = await startGatewayFixture({ agent: both, script: refund, chunkChars: 3 });
  const body = {
    model: 'standin-1',
    max_tokens: 200,
    stream: true,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'refund please' }] }],
  };
  const first = await call(fx.gateway.socketPath, 'POST', ANTHROPIC, body, anthropicHeaders);
  assert.equal(first.status, 200);
  assert.match(first.text, /^event: message_start\n/);
  const all = events(first.text);
  assert.equal(all.at(-1)?.['type'], 'message_stop');
  assert.deepEqual(fx.answers.at(-1), asked);
  assert.equal(fx.gateway.tokensUsed, 18);
  const second = await afterTool(fx, body, [
    { type: 'text', text: 'Asking now.' },
    { type: 'tool_use', id: 'call_9', name: 'request_action', input: { amount: 5 } },
  ]);
  assert.equal(fx.answers.at(-1)?.text, 'Requested; the key was [redacted]');
  assertNoLeak(second.text, CANARY, 'the stream');
  assert.equal(fx.gateway.tokensUsed, 43);
});

test('a protocol the policy does not list is 404 with what it does list; the upstream never hears of it', async () => {
  fx = await startGatewayFixture({ script: refund });
  const responses = await call(fx.gateway.socketPath, 'POST', '/v1/responses', {
    model: 'standin-1',
    input: 'refund',
  });
  assert.equal(responses.status, 404);
  const error = responses.json()['error'] as { code: string; message: string };
  assert.equal(error.code, 'model_api_not_enabled');
  assert.match(error.message, /Responses API.*model\.apis lists: chat-completions/);
  const anthropic = await call(
    fx.gateway.socketPath,
    'POST',
    ANTHROPIC,
    { model: 'standin-1', max_tokens: 5, messages: [{ role: 'user', content: 'refund' }] },
    anthropicHeaders,
  );
  assert.equal(anthropic.status, 404);
  assert.deepEqual(anthropic.json()['type'], 'error');
  assert.equal((anthropic.json()['error'] as { type: string }).type, 'not_found_error');
  assert.equal(fx.model.requests.length, 0);
});

test('a model outside the allow-list is 403 and a spent budget 429, in each protocol’s error shape', async () => {
  fx = await startGatewayFixture({ agent: { ...both, tokenBudget: 18 }, script: refund });
  const ask = (path: string, body: object) =>
    call(fx!.gateway.socketPath, 'POST', path, body, anthropicHeaders);
  const messages = [{ role: 'user', content: 'refund' }];
  const wrongModel = await ask(ANTHROPIC, { model: 'claude-x', max_tokens: 5, messages });
  assert.equal(wrongModel.status, 403);
  assert.deepEqual(wrongModel.json()['error'], {
    type: 'permission_error',
    code: 'model_not_allowed',
    message: 'Agent support may not use model "claude-x"; allowed: standin-1.',
  });
  const wrongResponses = await ask('/v1/responses', { model: 'gpt-x', input: 'refund' });
  assert.equal((wrongResponses.json()['error'] as { code: string }).code, 'model_not_allowed');
  assert.equal(fx.model.requests.length, 0);
  assert.equal((await ask('/v1/responses', { model: 'standin-1', input: 'refund' })).status, 200);
  const spent = await ask(ANTHROPIC, { model: 'standin-1', max_tokens: 5, messages });
  assert.equal(spent.status, 429);
  assert.deepEqual(
    [spent.json()['type'], (spent.json()['error'] as { type: string; code: string }).code],
    ['error', 'token_budget_exhausted'],
  );
  const spentResponses = await ask('/v1/responses', { model: 'standin-1', input: 'refund' });
  assert.equal(spentResponses.status, 429);
  assert.equal(fx.model.requests.length, 1);
});

test('a Responses stream passes through event by event: the first arrives while the upstream holds the rest', async () => {
  const held = gate();
  fx = await startGatewayFixture({
    agent: both,
    script: [{ afterUser: 'stream', text: 'streamed words', holdAfterFirstChunk: held.promise }],
  });
  const res = await open(fx.gateway.socketPath, '/v1/responses', {
    model: 'standin-1',
    input: 'stream',
    stream: true,
  });
  const sse = new SseReader(res);
  const first = JSON.parse((await sse.next()) ?? '{}') as { type: string };
  assert.equal(first.type, 'response.created');
  assert.equal(fx.gateway.tokensUsed, 0, 'nothing is counted before the usage arrives');
  held.open();
  const rest = (await sse.rest()).map((e) => JSON.parse(e) as { type: string });
  assert.equal(rest.at(-1)?.type, 'response.completed');
  assert.ok(fx.gateway.tokensUsed > 0);
});

test('past the answer cap: a whole answer is a 502 and a stream ends with an error event, in each protocol’s shape', async () => {
  fx = await startGatewayFixture({
    agent: both,
    limits: { maxModelResponseBytes: 8192 },
    chunkChars: 100,
    script: [{ afterUser: 'long', text: 'z'.repeat(50_000), reusable: true }],
  });
  const socket = fx.gateway.socketPath;
  const messages = [{ role: 'user', content: 'long' }];
  const whole = await call(
    socket,
    'POST',
    ANTHROPIC,
    { model: 'standin-1', max_tokens: 5, messages },
    anthropicHeaders,
  );
  assert.equal(whole.status, 502);
  assert.deepEqual(
    [whole.json()['type'], (whole.json()['error'] as { code: string }).code],
    ['error', 'model_answer_too_large'],
  );
  const streamed = await call(
    socket,
    'POST',
    ANTHROPIC,
    { model: 'standin-1', max_tokens: 5, messages, stream: true },
    anthropicHeaders,
  );
  assert.match(streamed.text, /\nevent: error\ndata: .*"model_answer_too_large"/);
  assert.deepEqual(events(streamed.text).at(-1)?.['type'], 'error');
  const responses = await call(socket, 'POST', '/v1/responses', {
    model: 'standin-1',
    input: 'long',
    stream: true,
  });
  const last = events(responses.text).at(-1);
  assert.deepEqual([last?.['type'], last?.['code']], ['error', 'model_answer_too_large']);
  assert.equal(fx.answers.at(-1), null, 'a cut answer is not the turn’s answer');
});

test('a model key missing from the vault is a 500 saying so, before anything leaves', async () => {
  fx = await startGatewayFixture({ agent: { ...both, apiKeyCredential: 'no-such-key' } });
  const answer = await call(
    fx.gateway.socketPath,
    'POST',
    ANTHROPIC,
    { model: 'standin-1', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
    anthropicHeaders,
  );
  assert.equal(answer.status, 500);
  assert.deepEqual(answer.json()['error'], {
    type: 'api_error',
    code: 'model_credential_missing',
    message: 'The model API key credential "no-such-key" is not in the vault.',
  });
  assert.equal(fx.model.requests.length, 0);
});
