// The gateway's other endpoints over its real unix socket: actions (executed, pending, denied, the
// identity taken from the socket, not the body), a research agent's fetch against a real local web
// server (allow-listed host, another host, redirects, size and time caps, no credentials), an
// action agent refused the web, progress messages, and the inbox long-poll.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { call, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';
import { startServer, type TestServer } from '../vault/helpers.ts';

let web: TestServer;
let fx: GatewayFixture | undefined;
before(async () => {
  web = await startServer();
});
after(() => web?.close());
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const refund = {
  capability: 'refunds.create',
  method: 'POST',
  path: '/api/refunds',
  body: { order: 'A-1', amount: 20 },
  purpose: 'Riley says the parcel arrived damaged.',
};

test('actions: executed → 200 with the result, pending → 202 with the id, denied → 403', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  fx.nextOutcome = { status: 'executed', result: { status: 201, body: '{"refund":"r-1"}' } };
  const executed = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(executed.status, 200);
  assert.deepEqual(executed.json(), {
    status: 'executed',
    result: { status: 201, body: '{"refund":"r-1"}' },
  });
  fx.nextOutcome = { status: 'pending', id: 'action:abc' };
  const pending = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(pending.status, 202);
  assert.deepEqual(pending.json(), { status: 'pending', id: 'action:abc' });
  fx.nextOutcome = { status: 'denied', reason: 'refunds over 10 need a manager' };
  const denied = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(denied.status, 403);
  assert.deepEqual(denied.json(), { status: 'denied', reason: 'refunds over 10 need a manager' });
  assert.equal(fx.actions.length, 3);
  assert.deepEqual(fx.actions[0], {
    ...refund,
    agentId: 'support',
    sessionId: 'session:support:t1',
  });
});

test('actions: the body cannot say who asks; bad shapes are refused before requestAction', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  for (const bad of [
    { ...refund, agentId: 'admin' },
    { ...refund, purpose: '  ' },
    { ...refund, method: 'TRACE' },
    { ...refund, path: 'api/refunds' },
    { capability: 'refunds.create' },
  ]) {
    const answer = await call(socket, 'POST', '/v1/actions', bad);
    assert.equal(answer.status, 400, JSON.stringify(bad));
    assert.equal((answer.json() as { error: { code: string } }).error.code, 'invalid_request');
  }
  assert.equal(fx.actions.length, 0);
  fx.nextOutcome = new Error('temporal unreachable');
  const failed = await call(socket, 'POST', '/v1/actions', refund);
  assert.equal(failed.status, 502);
  assert.equal((failed.json() as { error: { code: string } }).error.code, 'action_failed');
});

test('fetch: a research agent reads an allow-listed host, with no credentials sent', async () => {
  fx = await startGatewayFixture({ agent: { sensitivity: 'research', webHosts: ['127.0.0.1'] } });
  web.handler = (_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<h1>Shipping policy</h1>');
  };
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/fetch', {
    url: `${web.origin}/policy`,
  });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.json(), {
    status: 200,
    url: `${web.origin}/policy`,
    contentType: 'text/html',
    body: '<h1>Shipping policy</h1>',
    truncated: false,
  });
  const seen = web.seen.at(-1);
  assert.equal(seen?.headers.authorization, undefined, 'the placeholder key is not forwarded');
  assert.equal(seen?.headers.cookie, undefined);

  const post = await call(fx.gateway.socketPath, 'POST', '/v1/fetch', {
    url: `${web.origin}/search`,
    method: 'POST',
    body: 'q=refunds',
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(post.status, 200);
  assert.equal(web.seen.at(-1)?.body, 'q=refunds');
  const withHeaders = await call(fx.gateway.socketPath, 'POST', '/v1/fetch', {
    url: `${web.origin}/x`,
    headers: { authorization: 'Bearer x' },
  });
  assert.equal(withHeaders.status, 400, 'the agent cannot send headers');
});

test('fetch: another host → 403; a redirect to another host → 403; same-host redirects followed', async () => {
  fx = await startGatewayFixture({ agent: { sensitivity: 'research', webHosts: ['127.0.0.1'] } });
  const socket = fx.gateway.socketPath;
  const count = web.seen.length;
  const other = await call(socket, 'POST', '/v1/fetch', {
    url: web.origin.replace('127.0.0.1', 'localhost'),
  });
  assert.equal(other.status, 403);
  assert.equal((other.json() as { error: { code: string } }).error.code, 'host_not_allowed');
  assert.equal(web.seen.length, count, 'nothing was sent to the other host');

  web.handler = (req, res) => {
    if (req.url === '/away') {
      res.writeHead(302, { location: web.origin.replace('127.0.0.1', 'localhost') + '/x' });
      return res.end();
    }
    if (req.url === '/moved') {
      res.writeHead(301, { location: '/final' });
      return res.end();
    }
    res.end(`at ${req.url}`);
  };
  const away = await call(socket, 'POST', '/v1/fetch', { url: `${web.origin}/away` });
  assert.equal(away.status, 403);
  assert.equal((away.json() as { error: { code: string } }).error.code, 'redirect_not_allowed');
  const moved = await call(socket, 'POST', '/v1/fetch', { url: `${web.origin}/moved` });
  assert.equal(moved.status, 200);
  assert.equal((moved.json() as { body: string }).body, 'at /final');
});

test('fetch: the answer is cut at the size cap and the exchange at the time cap', async () => {
  fx = await startGatewayFixture({
    agent: { sensitivity: 'research', webHosts: ['127.0.0.1'] },
    limits: { fetchMaxBytes: 4096, fetchTimeoutMs: 300 },
  });
  web.handler = (req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
    res.end('y'.repeat(100_000));
  };
  const big = await call(fx.gateway.socketPath, 'POST', '/v1/fetch', { url: `${web.origin}/big` });
  const page = big.json() as { body: string; truncated: boolean };
  assert.equal(page.body.length, 4096);
  assert.equal(page.truncated, true);
  const slow = await call(fx.gateway.socketPath, 'POST', '/v1/fetch', {
    url: `${web.origin}/slow`,
  });
  assert.equal(slow.status, 504);
  assert.equal((slow.json() as { error: { code: string } }).error.code, 'fetch_timeout');
});

test('fetch: an action agent has no web, even to a listed host', async () => {
  fx = await startGatewayFixture({ agent: { sensitivity: 'action', webHosts: ['127.0.0.1'] } });
  const count = web.seen.length;
  const answer = await call(fx.gateway.socketPath, 'POST', '/v1/fetch', { url: web.origin });
  assert.equal(answer.status, 403);
  assert.equal((answer.json() as { error: { code: string } }).error.code, 'fetch_not_allowed');
  assert.equal(web.seen.length, count);
});

test('messages go to sendMessage with the socket identity', async () => {
  fx = await startGatewayFixture();
  const sent = await call(fx.gateway.socketPath, 'POST', '/v1/messages', {
    text: 'Looking into it…',
  });
  assert.equal(sent.status, 200);
  assert.deepEqual(fx.messages, [
    { agentId: 'support', sessionId: 'session:support:t1', text: 'Looking into it…' },
  ]);
  const empty = await call(fx.gateway.socketPath, 'POST', '/v1/messages', { text: '' });
  assert.equal(empty.status, 400);
});

test('inbox: 204 after the wait; a waiting poll gets the next batch; queued input is not lost', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const started = Date.now();
  const nothing = await call(socket, 'GET', '/v1/inbox?wait=150');
  assert.equal(nothing.status, 204);
  assert.ok(Date.now() - started >= 140, 'the poll waited');

  const waiting = call(socket, 'GET', '/v1/inbox?wait=4000');
  await new Promise((r) => setTimeout(r, 100));
  fx.inbox.push({ kind: 'user', text: 'refund please' }, { kind: 'user', text: 'order A-1' });
  const batch = await waiting;
  assert.equal(batch.status, 200);
  assert.deepEqual(batch.json(), {
    items: [
      { kind: 'user', text: 'refund please' },
      { kind: 'user', text: 'order A-1' },
    ],
  });

  fx.inbox.push({ kind: 'action', id: 'action:abc', status: 'approved' });
  const queued = await call(socket, 'GET', '/v1/inbox');
  assert.deepEqual(queued.json(), {
    items: [{ kind: 'action', id: 'action:abc', status: 'approved' }],
  });
  assert.equal((await call(socket, 'GET', '/v1/inbox?wait=soon')).status, 400);
});

test('inbox: a poll given up takes nothing; closing the gateway ends pending polls', async () => {
  fx = await startGatewayFixture();
  const socket = fx.gateway.socketPath;
  const abandoned = call(socket, 'GET', '/v1/inbox?wait=4000', undefined, {}, 100);
  await assert.rejects(abandoned, /no answer/);
  await new Promise((r) => setTimeout(r, 50));
  fx.inbox.push({ kind: 'user', text: 'still here' });
  assert.equal(fx.inbox.size, 1, 'the abandoned poll did not take the item');

  const polled = await call(socket, 'GET', '/v1/inbox?wait=10');
  assert.equal(polled.status, 200);
  const pending = call(socket, 'GET', '/v1/inbox?wait=4000').catch((e: Error) => e);
  await new Promise((r) => setTimeout(r, 50));
  const closing = Date.now();
  await fx.close();
  fx = undefined;
  await pending;
  assert.ok(Date.now() - closing < 2_000, 'close did not wait for the long-poll');
});
