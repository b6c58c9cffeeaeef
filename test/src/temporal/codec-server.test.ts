// The codec server the Temporal UI decrypts payloads through: a workflow input stored encrypted by
// the real dev server comes back in clear from POST /decode, but only for the UI's origin and only
// with the codec token (bearer, or the cookie signing in sets); bad input gets a clear error and
// nothing can be encrypted through it. The dev server's UI is configured to call it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { createCodecServer, type CodecServer } from '../../../src/temporal/codec-server.ts';
import { createLogger } from '../../../src/log.ts';
import { startCodecServer, startMarkedWait } from '../../helpers/codec.ts';
import { testConfig } from '../../helpers/temporal.ts';

const ui = 'http://127.0.0.1:8233';
const config = testConfig({ AIRLOCK_PAYLOAD_KEY: randomBytes(32).toString('base64') });
const token = randomBytes(32).toString('base64url');
let server: CodecServer;
let url: string;

before(async () => {
  ({ server, url } = await startCodecServer({ config, token, uiOrigin: ui }));
});
after(() => server?.close());

const decode = (
  body: unknown,
  origin = ui,
  auth: Record<string, string> = { authorization: `Bearer ${token}` },
) =>
  fetch(`${url}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'x-namespace': 'default', ...auth },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const plain = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
};

test('without the codec token nobody gets a payload decoded; the token as bearer or cookie works', async () => {
  const body = { payloads: [plain({ hello: 'world' })] };
  const wrong: Record<string, string>[] = [
    {},
    { authorization: 'Bearer wrong' },
    { authorization: `Bearer ${token}x` },
    { cookie: 'airlock_codec=wrong' },
  ];
  for (const auth of wrong) {
    const res = await decode(body, ui, auth);
    assert.equal(res.status, 401, JSON.stringify(auth));
    assert.equal(res.headers.get('access-control-allow-origin'), ui, 'the UI can read the 401');
  }
  assert.equal((await decode(body)).status, 200);
  assert.equal((await decode(body, ui, { cookie: `other=1; airlock_codec=${token}` })).status, 200);

  // Signing in: the form, a wrong token refused, the right one sets an HttpOnly cookie.
  const form = await fetch(`${url}/`);
  assert.equal(form.status, 200);
  assert.match(await form.text(), /<form method="post"/);
  const signIn = (t: string) =>
    fetch(`${url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t }).toString(),
    });
  const refused = await signIn('nope');
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('set-cookie'), null);
  const ok = await signIn(token);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), new RegExp(`Signed in. <a href="${ui}">`));
  const cookie = ok.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^airlock_codec=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
  assert.equal((await decode(body, ui, { cookie: cookie.split(';')[0] as string })).status, 200);
});

test('an input the dev server stores encrypted is decoded for the Temporal UI', async () => {
  const { client, handle, marker } = await startMarkedWait(config, 'codec-server');
  // What the UI receives from the server: the raw history, with no codec.
  const raw = new Client({
    connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
    namespace: config.TEMPORAL_NAMESPACE,
  });
  const history = await raw.workflow.getHandle(handle.workflowId).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  assert.ok(input);
  const asJson = {
    metadata: Object.fromEntries(
      Object.entries(input.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(input.data ?? []).toString('base64'),
  };
  assert.ok(!Buffer.from(asJson.data, 'base64').toString('latin1').includes(marker));
  const res = await decode({ payloads: [asJson] });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), ui);
  const { payloads } = (await res.json()) as {
    payloads: { metadata: Record<string, string>; data: string }[];
  };
  const [clear] = payloads;
  assert.ok(clear);
  const decoded = defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(
      Object.entries(clear.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    ),
    data: Buffer.from(clear.data, 'base64'),
  });
  assert.deepEqual(decoded, { purpose: marker });
  await handle.terminate('test done');
  await raw.connection.close();
  await client.connection.close();
});

test('the UI origin gets its preflight; other origins, encoding and bad bodies are refused clearly', async () => {
  const preflight = await fetch(`${url}/decode`, {
    method: 'OPTIONS',
    headers: { origin: ui, 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), ui);
  assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-namespace/);

  const elsewhere = await decode({ payloads: [] }, 'http://evil.example');
  assert.equal(elsewhere.status, 403);
  assert.equal(elsewhere.headers.get('access-control-allow-origin'), null);

  const encode = await fetch(`${url}/encode`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: '{"payloads":[]}',
  });
  assert.equal(encode.status, 404, 'nothing can be encrypted through it');

  assert.equal((await decode('not json')).status, 400);
  assert.equal((await decode({ nope: 1 })).status, 400);
  const forged = await decode({
    payloads: [
      {
        metadata: {
          encoding: Buffer.from('binary/encrypted').toString('base64'),
          'encryption-key-id': Buffer.from('k1').toString('base64'),
        },
        data: randomBytes(64).toString('base64'),
      },
    ],
  });
  assert.equal(forged.status, 422);
  assert.match(((await forged.json()) as { message: string }).message, /payload|key/);
  // A payload we did not encrypt (a history from before the key) is shown as it is.
  const clear = await decode({ payloads: [plain({ old: true })] });
  assert.equal(clear.status, 200);
  assert.deepEqual(((await clear.json()) as { payloads: unknown[] }).payloads, [
    plain({ old: true }),
  ]);
  const huge = await decode({ payloads: [{ data: 'A'.repeat(5 * 1024 * 1024) }] });
  assert.equal(huge.status, 413);
});

test('the dev server started by make up points its UI at the codec server', async () => {
  const settings = (await (await fetch(`${config.TEMPORAL_UI_URL}/api/v1/settings`)).json()) as {
    Codec?: { Endpoint?: string };
  };
  assert.equal(settings.Codec?.Endpoint, `http://127.0.0.1:${config.AIRLOCK_CODEC_PORT}`);
});

test('/healthz answers while it serves; /readyz once its codec round-trips, else 503', async () => {
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready', codec: 'works' });
  // A codec that cannot decode (a key that does not open what it sealed) is not ready.
  const broken = createCodecServer({
    codec: {
      encode: (p) => Promise.resolve(p),
      decode: () => Promise.reject(new Error('bad key')),
    },
    uiOrigin: ui,
    token,
    logger: createLogger({ level: 'silent' }),
  });
  try {
    const res = await fetch(`http://127.0.0.1:${await broken.listen(0)}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'not ready', codec: 'fails' });
  } finally {
    await broken.close();
  }
});
