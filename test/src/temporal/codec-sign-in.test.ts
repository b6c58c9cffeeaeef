// The one link `make demo` prints: GET /sign-in?token=…&to=/path on the codec server checks the
// token, sets the codec cookie and redirects to the run in the Temporal UI, which the codec server
// serves under its own origin (the real dev server's UI behind it), naming itself as the codec
// endpoint: the UI's decode calls are then same-origin and carry the cookie. No token, no decode.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { CodecServer } from '../../../src/temporal/codec-server.ts';
import { startCodecServer, type TestCodecServer } from '../../helpers/codec.ts';
import { testConfig } from '../../helpers/temporal.ts';

const config = testConfig({ AIRLOCK_PAYLOAD_KEY: randomBytes(32).toString('base64') });
const ui = config.TEMPORAL_UI_URL;
const token = randomBytes(32).toString('base64url');
let server: CodecServer | undefined;
let url: string;

before(async () => {
  ({ server, url } = await startCodecServer({ config, token, uiOrigin: ui, uiUpstream: ui }));
});
after(() => server?.close());

const run = '/namespaces/default/workflows/action%3Ademo-1';
const signInLink = (t: string, to = run) =>
  `${url}/sign-in?token=${encodeURIComponent(t)}&to=${encodeURIComponent(to)}`;
const body = JSON.stringify({
  payloads: [
    {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64'),
    },
  ],
});
/** A decode as the UI served through this origin makes it: same-origin, no bearer token. */
const decode = (headers: Record<string, string>) =>
  fetch(`${url}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...headers },
    body,
  });

test('the sign-in link sets the cookie and lands on the run; a decode with that cookie works, without it 401', async () => {
  assert.equal((await decode({})).status, 401, 'not signed in: refused');

  const res = await fetch(signInLink(token), { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), run, 'the run, on this origin');
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^airlock_codec=[^;]+; HttpOnly; SameSite=Strict; Path=\//);

  const signedIn = await decode({ cookie: cookie.split(';')[0] as string });
  assert.equal(signedIn.status, 200);
  const [clear] = ((await signedIn.json()) as { payloads: { data: string }[] }).payloads;
  assert.equal(Buffer.from(clear?.data ?? '', 'base64').toString(), '{"hello":"world"}');
  assert.deepEqual(
    defaultPayloadConverter.fromPayload({
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from(clear?.data ?? '', 'base64'),
    }),
    { hello: 'world' },
  );

  // The run page itself comes from the Temporal UI, through this origin.
  const page = await fetch(`${url}${run}`, { headers: { cookie: cookie.split(';')[0] as string } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<!doctype html>/i);
});

test('a wrong token gets no cookie and no redirect; the link only leads to a path', async () => {
  for (const t of ['', 'nope', `${token}x`]) {
    const res = await fetch(signInLink(t), { redirect: 'manual' });
    assert.equal(res.status, 401, JSON.stringify(t));
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal(res.headers.get('location'), null);
  }
  for (const to of ['http://evil.example/x', '//evil.example/x', '/\\evil.example', 'x']) {
    const res = await fetch(signInLink(token, to), { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/namespaces/default/workflows', to);
  }
  assert.equal((await fetch(signInLink(token), { method: 'POST' })).status, 405);
});

test('the UI served through the codec server names it as the codec endpoint; other origins stay refused', async () => {
  const res = await fetch(`${url}/api/v1/settings`, {
    headers: { cookie: `airlock_codec=${token}` },
  });
  assert.equal(res.status, 200);
  const settings = (await res.json()) as { Codec?: { Endpoint?: string }; Version?: string };
  assert.equal(settings.Codec?.Endpoint, url);
  assert.ok(settings.Version, 'the rest of the UI settings pass through');
  // Other origins are still refused, even with the cookie.
  const elsewhere = await decode({
    origin: 'http://evil.example',
    cookie: `airlock_codec=${token}`,
  });
  assert.equal(elsewhere.status, 403);
});

test('without a UI to serve, the codec server answers only its own paths', async () => {
  const { server: bare, url: bareUrl } = await startCodecServer({ config, token, uiOrigin: ui });
  try {
    assert.equal((await fetch(`${bareUrl}/api/v1/settings`)).status, 404);
    const res = await fetch(`${bareUrl}/sign-in?token=${token}&to=${encodeURIComponent(run)}`, {
      redirect: 'manual',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${ui}${run}`);
  } finally {
    await bare.close();
  }
});

test('what the UI behind it receives: its own host and origin, the other cookies, never the codec cookie', async () => {
  const seen: IncomingHttpHeaders[] = [];
  const upstream = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ui');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  let front: TestCodecServer | undefined;
  try {
    front = await startCodecServer({
      config,
      token,
      uiOrigin: upstreamUrl,
      uiUpstream: upstreamUrl,
    });
    const frontUrl = front.url;
    const res = await fetch(`${frontUrl}/api/v1/namespaces`, {
      method: 'POST',
      headers: { origin: frontUrl, cookie: `_csrf=abc; airlock_codec=${token}; x=1` },
      body: '{}',
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ui');
    const [headers] = seen;
    assert.equal(headers?.host, new URL(upstreamUrl).host);
    assert.equal(headers?.origin, upstreamUrl);
    assert.equal(headers?.cookie, '_csrf=abc; x=1');
  } finally {
    await front?.server.close();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('the UI pass-through reaches the UI alone: absolute and scheme-relative targets go nowhere else', async () => {
  // Another local service the pass-through must never reach.
  const hits: string[] = [];
  const other = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('other service');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const otherHost = `127.0.0.1:${(other.address() as AddressInfo).port}`;
  const { connect } = await import('node:net');
  /** A raw request line, as a process on the host (not a browser) can send it. */
  const raw = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
      socket.end(
        `GET ${target} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n\r\n`,
      );
    });
  try {
    for (const target of [`http://${otherHost}/secret`, `//${otherHost}/secret`]) {
      const answer = await raw(target);
      assert.match(answer, /^HTTP\/1\.1 400 /, `${target}: ${answer.slice(0, 80)}`);
    }
    assert.deepEqual(hits, [], 'the other service was never asked');
  } finally {
    other.close();
  }
});
