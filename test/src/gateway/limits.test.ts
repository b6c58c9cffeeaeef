// A gateway's own limits, so one box cannot make its worker hold without bound: requests in flight
// (429 past the cap, the upstream not called), the request body (413), a model answer held whole
// (502 past the cap, a clean error, not a cut connection), a stream's total (cut with an error
// event) and a stream's buffer (a box that stops reading stops the gateway reading upstream).
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, test } from 'node:test';
import { call, gate, open, SseReader, startGatewayFixture } from '../../helpers/gateway.ts';
import type { GatewayFixture } from '../../helpers/gateway.ts';

let fx: GatewayFixture | undefined;
let upstream: Server | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  upstream?.closeAllConnections();
  await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
  upstream = undefined;
});

const user = (content: string) => ({ role: 'user', content });
const ask = (content: string, stream = false) => ({
  model: 'standin-1',
  stream,
  messages: [user(content)],
});
type Err = { error: { code: string; message: string } };

/** Wait (bounded) until `check` holds. */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

test('requests in flight: past the cap a 429, the upstream not called; below it again, served', async () => {
  const held = gate();
  fx = await startGatewayFixture({
    limits: { maxInFlight: 2 },
    script: [
      ...['a', 'b'].map((w) => ({
        afterUser: w,
        text: `${w}!`,
        holdAfterFirstChunk: held.promise,
      })),
      { afterUser: 'c', text: 'c!' },
    ],
  });
  const socket = fx.gateway.socketPath;
  try {
    const streams = await Promise.all(
      ['a', 'b'].map((w) => open(socket, '/v1/chat/completions', ask(w, true))),
    );
    const readers = streams.map((s) => new SseReader(s));
    for (const r of readers) await r.next();
    assert.equal(fx.gateway.inFlight, 2);

    const refused = await call(socket, 'POST', '/v1/chat/completions', ask('c'));
    assert.equal(refused.status, 429, refused.text);
    assert.equal((refused.json() as Err).error.code, 'too_many_requests');
    const other = await call(socket, 'GET', '/v1/agent');
    assert.equal(other.status, 429, 'the cap covers every route');
    assert.equal(fx.model.requests.length, 2, 'the refused call never reached the upstream');

    held.open();
    for (const r of readers) assert.equal((await r.rest()).at(-1), '[DONE]');
    await until(() => fx?.gateway.inFlight === 0, 'the streams are done');
    const served = await call(socket, 'POST', '/v1/chat/completions', ask('c'));
    assert.equal(served.status, 200, served.text);
  } finally {
    held.open();
  }
});

test('request body: past the cap a 413 on every route, nothing handed on', async () => {
  fx = await startGatewayFixture({ limits: { maxBodyBytes: 2048 } });
  const socket = fx.gateway.socketPath;
  const model = await call(socket, 'POST', '/v1/chat/completions', ask('x'.repeat(4096)));
  assert.equal(model.status, 413);
  const action = await call(socket, 'POST', '/v1/actions', {
    capability: 'refunds.create',
    method: 'POST',
    path: '/api/refunds',
    purpose: 'x'.repeat(4096),
  });
  assert.equal(action.status, 413);
  assert.equal(fx.model.requests.length, 0);
  assert.equal(fx.actions.length, 0);
});

test('a model answer held whole past the cap: a clean 502, charged an estimate', async () => {
  fx = await startGatewayFixture({
    limits: { maxModelResponseBytes: 8192 },
    script: [
      { afterUser: 'small', text: 'fits' },
      { afterUser: 'huge', text: 'y'.repeat(20_000) },
    ],
  });
  const socket = fx.gateway.socketPath;
  const small = await call(socket, 'POST', '/v1/chat/completions', ask('small'));
  assert.equal(small.status, 200, small.text.slice(0, 300));
  const huge = await call(socket, 'POST', '/v1/chat/completions', ask('huge'));
  assert.equal(huge.status, 502, huge.text.slice(0, 300));
  const err = huge.json() as Err;
  assert.equal(err.error.code, 'model_answer_too_large');
  assert.match(err.error.message, /8192 bytes/);
  assert.ok(!huge.text.includes('yyyy'), 'nothing of the answer is passed on');
  assert.ok(fx.gateway.tokensUsed > 2000, 'the answer was produced, so it is charged');
});

test('a stream past the cap is cut with an error event, and the upstream call ends', async () => {
  fx = await startGatewayFixture({
    limits: { maxModelResponseBytes: 8192 },
    chunkChars: 100,
    script: [{ afterUser: 'long', text: 'z'.repeat(50_000) }],
  });
  const res = await open(fx.gateway.socketPath, '/v1/chat/completions', ask('long', true));
  assert.equal(res.statusCode, 200);
  const sse = new SseReader(res);
  const events = await sse.rest();
  assert.ok(sse.raw.length < 8192 + 1024, `at most the cap was relayed (${sse.raw.length})`);
  assert.notEqual(events.at(-1), '[DONE]');
  const last = JSON.parse(events.at(-1) ?? '{}') as Partial<Err>;
  assert.equal(last.error?.code, 'model_answer_too_large');
  assert.match(fx.logText(), /"complete":false/);
});

test('a box that stops reading a stream stops the gateway reading upstream (nothing piles up)', async () => {
  // An upstream that streams 64 MiB as fast as it is read, and says how far it got.
  const total = 64 * 1024 * 1024;
  const line = `data: ${JSON.stringify({ choices: [{ delta: { content: 'w'.repeat(8000) } }] })}\n\n`;
  let written = 0;
  let waiting = false;
  let finished = false;
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => void flood(res));
  });
  const flood = async (res: ServerResponse): Promise<void> => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    while (written < total && !res.destroyed) {
      written += line.length;
      if (!res.write(line)) {
        waiting = true;
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
        waiting = false;
      }
    }
    finished = written >= total;
    res.end('data: [DONE]\n\n');
  };
  await new Promise<void>((r) => upstream?.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  fx = await startGatewayFixture({
    agent: { modelEndpoint: `http://127.0.0.1:${port}/v1` },
    limits: { maxModelResponseBytes: 256 * 1024 * 1024 },
  });
  const res = await open(fx.gateway.socketPath, '/v1/chat/completions', ask('flood', true));
  res.pause();
  // Stalled: the upstream has waited for the gateway to read on, with no progress, for a while.
  let stalls = 0;
  let last = -1;
  await until(
    () => {
      if (finished) return true;
      stalls = waiting && written === last ? stalls + 1 : 0;
      last = written;
      return stalls >= 15;
    },
    'the upstream stalls or finishes',
    30_000,
  );
  assert.ok(!finished, 'the upstream could send everything while the box read nothing');
  assert.ok(written < 32 * 1024 * 1024, `the upstream stalled after ${written} bytes`);
  // Reading on gets everything, nothing lost.
  let received = 0;
  res.on('data', (c: Buffer) => (received += c.length));
  res.resume();
  await new Promise((r) => res.once('end', r));
  assert.ok(finished);
  assert.ok(received >= total, `the box received ${received} bytes`);
});
