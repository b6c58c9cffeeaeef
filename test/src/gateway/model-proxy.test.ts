// The gateway's model proxy against real components: an encrypted vault holding a canary key, the
// stand-in model (which accepts only that key) as the upstream, the gateway on its unix socket.
// The placeholder key the box sends is replaced by the real one; the canary never comes back nor
// reaches the log; streams pass through event by event; usage counts against the budget.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
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

const user = (content: string) => ({ role: 'user', content });

test('the placeholder key is replaced by the vault key upstream; the key never comes back', async () => {
  fx = await startGatewayFixture({
    // The upstream echoes the key it saw, as a debugging endpoint might.
    script: [{ afterUser: 'hi', text: `hello; you sent Bearer ${CANARY}` }],
  });
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/chat/completions', {
    model: 'standin-1',
    messages: [user('hi')],
  });
  assert.equal(answer.status, 200, answer.text);
  const seen = fx.model.requests.at(-1);
  assert.equal(seen?.headers.authorization, `Bearer ${CANARY}`);
  assert.ok(
    !JSON.stringify(seen?.headers).includes(PLACEHOLDER),
    'the placeholder is not forwarded',
  );
  assert.deepEqual(seen?.body?.['messages'], [user('hi')]);
  const body = answer.json() as { choices: { message: { content: string } }[] };
  assert.equal(body.choices[0]?.message.content, 'hello; you sent Bearer [redacted]');
  assertNoLeak(JSON.stringify(answer.headers) + answer.text, CANARY, 'the answer');
  assert.match(fx.logText(), /"msg":"model call"/);
  assertNoLeak(fx.logText(), CANARY, 'the gateway log');
});

test('a stream passes through event by event; usage is counted; the budget then refuses (429)', async () => {
  const held = gate();
  fx = await startGatewayFixture({
    agent: { tokenBudget: 50 },
    // An echo arrives whole in one event (see model-proxy.ts on echoes split across events).
    chunkChars: 1000,
    script: [
      {
        afterUser: 'stream',
        text: `streamed words, and the key ${CANARY} echoed`,
        holdAfterFirstChunk: held.promise,
        usage: { prompt: 40, completion: 15 },
      },
    ],
  });
  const res = await open(fx.gateway.socketPath, '/v1/chat/completions', {
    model: 'standin-1',
    stream: true,
    messages: [user('stream')],
  });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] ?? '', /^text\/event-stream/);
  const sse = new SseReader(res);
  // The upstream is holding the rest back: this event can only have come through unbuffered.
  const first = JSON.parse((await sse.next()) ?? '') as { choices: { delta: { role?: string } }[] };
  assert.equal(first.choices[0]?.delta.role, 'assistant');
  assert.equal(fx.gateway.tokensUsed, 0);
  held.open();
  const rest = await sse.rest();
  assert.equal(rest.at(-1), '[DONE]');
  const chunks = rest.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
  const text = chunks
    .map((c) => (c['choices'] as { delta?: { content?: string } }[])[0]?.delta?.content ?? '')
    .join('');
  assert.equal(text, 'streamed words, and the key [redacted] echoed');
  // The gateway asked for usage (include_usage) so it could count the stream.
  assert.deepEqual(fx.model.requests.at(-1)?.body?.['stream_options'], { include_usage: true });
  assert.deepEqual(chunks.at(-1)?.['usage'], {
    prompt_tokens: 40,
    completion_tokens: 15,
    total_tokens: 55,
  });
  assertNoLeak(sse.raw, CANARY, 'the stream');
  assert.equal(fx.gateway.tokensUsed, 55);

  await assertBudgetRefused(fx, 'stream', 1);
  assertNoLeak(fx.logText(), CANARY, 'the gateway log');
});

/** A call with `text` is refused for the spent token budget, and the upstream saw only `upstreamCalls`. */
async function assertBudgetRefused(
  f: GatewayFixture,
  text: string,
  upstreamCalls: number,
): Promise<void> {
  const refused = await call(f.gateway.socketPath, 'POST', '/v1/chat/completions', {
    model: 'standin-1',
    messages: [user(text)],
  });
  assert.equal(refused.status, 429);
  assert.equal(
    (refused.json() as { error: { code: string } }).error.code,
    'token_budget_exhausted',
  );
  assert.equal(
    f.model.requests.length,
    upstreamCalls,
    'the refused call never reached the upstream',
  );
}

test('a session that already used its budget is refused from the first call', async () => {
  fx = await startGatewayFixture({ agent: { tokenBudget: 100 }, tokensUsed: 100 });
  await assertBudgetRefused(fx, 'x', 0);
});

test('a stream the client abandons ends the upstream call and is charged an estimate', async () => {
  const held = gate();
  fx = await startGatewayFixture({
    script: [
      {
        afterUser: 'long',
        text: 'x'.repeat(400),
        holdAfterFirstChunk: held.promise,
        usage: { prompt: 1000, completion: 1000 },
      },
    ],
  });
  try {
    const res = await open(fx.gateway.socketPath, '/v1/chat/completions', {
      model: 'standin-1',
      stream: true,
      messages: [user('long')],
    });
    await new SseReader(res).next();
    res.destroy();
    // The upstream is still holding its usage report back: the charge can only be the estimate.
    const deadline = Date.now() + 5_000;
    while (fx.gateway.tokensUsed === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(fx.gateway.tokensUsed > 0, 'an interrupted stream still counts');
    assert.ok(fx.gateway.tokensUsed < 2000, 'the estimate, not the unreported usage');
    assert.match(fx.logText(), /"complete":false/);
  } finally {
    held.open();
  }
});

test('a model outside the allow-list is refused with 403 before any upstream call', async () => {
  fx = await startGatewayFixture({ agent: { models: ['standin-*'] } });
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/chat/completions', {
    model: 'gpt-4o',
    messages: [user('x')],
  });
  assert.equal(answer.status, 403);
  const err = answer.json() as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'model_not_allowed');
  assert.match(err.error.message, /may not use model "gpt-4o"; allowed: standin-\*/);
  assert.equal(fx.model.requests.length, 0);
});

test('the key only goes where its vault scope allows: another endpoint is refused', async () => {
  fx = await startGatewayFixture({ agent: { modelEndpoint: 'http://localhost:9/v1' } });
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/chat/completions', {
    model: 'standin-1',
    messages: [user('x')],
  });
  assert.equal(answer.status, 403);
  assert.equal((answer.json() as { error: { code: string } }).error.code, 'model_credential_scope');
});

test('bad input: malformed JSON, a missing field, an oversized body, unknown routes', async () => {
  fx = await startGatewayFixture();
  const path = '/v1/chat/completions';
  const malformed = await call(fx.gateway.socketPath, 'POST', path, '{"model": ');
  assert.equal(malformed.status, 400);
  assert.equal((malformed.json() as { error: { code: string } }).error.code, 'invalid_json');

  const missing = await call(fx.gateway.socketPath, 'POST', path, { model: 'standin-1' });
  assert.equal(missing.status, 400);
  assert.match((missing.json() as { error: { message: string } }).error.message, /messages/);

  const huge = { model: 'standin-1', messages: [user('x'.repeat(100 * 1024))] };
  const tooLarge = await call(fx.gateway.socketPath, 'POST', path, huge);
  assert.equal(tooLarge.status, 413);
  assert.equal(tooLarge.headers.connection, 'close');

  const unknown = await call(fx.gateway.socketPath, 'POST', '/v1/embeddings', {});
  assert.equal(unknown.status, 404);
  assert.equal((unknown.json() as { error: { code: string } }).error.code, 'not_found');
  const wrongMethod = await call(fx.gateway.socketPath, 'GET', path);
  assert.equal(wrongMethod.status, 405);
  assert.equal(fx.model.requests.length, 0);
});
