import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { FileCredentialStore } from '../../../src/vault/file-store.ts';
import { executeWithVault, type VaultRequest } from '../../../src/vault/execute.ts';
import type { CredentialInput } from '../../../src/vault/types.ts';
import {
  assertNoLeak,
  capturedLogger,
  newKey,
  startServer,
  tempDir,
  type TestServer,
} from './helpers.ts';

const SECRET = 'sk_live_Zx9/q+Ab"c d&e=f';
let server: TestServer;
let store: FileCredentialStore;

const scope = {
  hosts: ['127.0.0.1'],
  methods: ['GET', 'POST'],
  paths: ['/api/**'],
  agents: ['billing'],
};
const credentials: CredentialInput[] = [
  { name: 'bearer', kind: 'bearer', scope, secret: SECRET },
  { name: 'hdr', kind: 'header', headerName: 'X-Api-Key', scope, secret: SECRET },
  { name: 'basic', kind: 'basic', scope, secret: `alice:${SECRET}` },
  { name: 'query', kind: 'query', paramName: 'api_key', scope, secret: SECRET },
];

before(async () => {
  server = await startServer();
  store = new FileCredentialStore({
    path: join(tempDir(), 'vault.json'),
    keys: { active: newKey() },
  });
  for (const c of credentials) await store.put(c);
});
after(() => server?.close());

function req(over: Partial<VaultRequest> = {}): VaultRequest {
  return {
    agent: 'billing',
    credential: 'bearer',
    method: 'GET',
    url: `${server.origin}/api/refunds?limit=5`,
    idempotencyKey: 'action:r-1',
    ...over,
  };
}

function lastSeen() {
  const s = server.seen.at(-1);
  assert.ok(s, 'the server saw a request');
  return s;
}

test('bearer: Authorization: Bearer <secret>, Idempotency-Key sent, echo redacted', async () => {
  const res = await executeWithVault(req(), { store });
  assert.equal(res.status, 200);
  assert.equal(lastSeen().headers.authorization, `Bearer ${SECRET}`);
  assert.equal(lastSeen().headers['idempotency-key'], 'action:r-1');
  assert.equal(res.truncated, false);
  assertNoLeak(res.body, SECRET, 'response body');
  assert.match(res.body, /Bearer \[redacted\]/);
});

test('header: the named header carries the secret', async () => {
  await executeWithVault(req({ credential: 'hdr' }), { store });
  assert.equal(lastSeen().headers['x-api-key'], SECRET);
  assert.equal(lastSeen().headers.authorization, undefined);
});

test('basic: Authorization: Basic base64(user:password); user, password and base64 redacted', async () => {
  const res = await executeWithVault(req({ credential: 'basic' }), { store });
  const encoded = Buffer.from(`alice:${SECRET}`).toString('base64');
  assert.equal(lastSeen().headers.authorization, `Basic ${encoded}`);
  assertNoLeak(res.body, SECRET, 'response body');
  assertNoLeak(res.body, `alice:${SECRET}`, 'response body');
});

test('query: the parameter carries the secret, other parameters kept, URL echo redacted', async () => {
  const res = await executeWithVault(req({ credential: 'query' }), { store });
  const sent = new URL(lastSeen().url, server.origin);
  assert.equal(sent.searchParams.get('api_key'), SECRET);
  assert.equal(sent.searchParams.get('limit'), '5');
  assertNoLeak(res.body, SECRET, 'response body');
  assert.match(res.body, /api_key=\[redacted\]/);
});

test('JSON body is sent as JSON; string body as is', async () => {
  await executeWithVault(req({ method: 'POST', body: { amount: 12 } }), { store });
  assert.equal(lastSeen().body, '{"amount":12}');
  assert.equal(lastSeen().headers['content-type'], 'application/json');
  await executeWithVault(
    req({ method: 'POST', body: 'a=1', headers: { 'content-type': 'text/plain' } }),
    { store },
  );
  assert.equal(lastSeen().body, 'a=1');
  assert.equal(lastSeen().headers['content-type'], 'text/plain');
});

test('out-of-scope requests are refused with vault_scope before any network call', async () => {
  const port = new URL(server.origin).port;
  const cases: [RegExp, Partial<VaultRequest>][] = [
    [/agent support is not allowed/, { agent: 'support' }],
    [/host localhost:\d+ is not allowed/, { url: `http://localhost:${port}/api/x` }],
    [/method DELETE is not allowed/, { method: 'DELETE' }],
    [/path \/admin\/users is not allowed/, { url: `${server.origin}/admin/users` }],
    [/path \/admin is not allowed/, { url: `${server.origin}/api/../admin` }],
    [/path \/admin is not allowed/, { url: `${server.origin}/api/%2e%2e/admin` }],
    [/http: is not allowed/, { url: 'http://10.0.0.1/api/x' }],
    // Servers such as Tomcat read `..;/` as `../`; `%25` starts a second round of decoding.
    [/path \/api\/\.\.;\/admin is not allowed/, { url: `${server.origin}/api/..;/admin` }],
    [/path \/api\/x;a=1 is not allowed/, { url: `${server.origin}/api/x;a=1` }],
    [
      /path \/api\/%252e%252e\/admin is not allowed/,
      { url: `${server.origin}/api/%252e%252e/admin` },
    ],
  ];
  const before = server.seen.length;
  const { logger, lines } = capturedLogger();
  for (const [why, over] of cases) {
    for (const credential of ['bearer', 'query']) {
      await assert.rejects(
        executeWithVault(req({ ...over, credential }), { store, logger }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'vault_scope');
          assert.match(err.message, why);
          assertNoLeak(err.message, SECRET, 'error message');
          return true;
        },
      );
    }
  }
  assert.equal(server.seen.length, before, 'no request reached the server');
  assert.ok(lines.length >= cases.length, 'each refusal was logged');
  assertNoLeak(lines.join(''), SECRET, 'log output');
});

test('host globs with a port and agent globs', async () => {
  const port = new URL(server.origin).port;
  await store.put({
    name: 'ported',
    kind: 'bearer',
    scope: { ...scope, hosts: [`127.0.0.*:${port}`], agents: ['team-*'] },
    secret: SECRET,
  });
  const ok = await executeWithVault(req({ credential: 'ported', agent: 'team-a' }), { store });
  assert.equal(ok.status, 200);
  await assert.rejects(executeWithVault(req({ credential: 'ported', agent: 'other' }), { store }), {
    code: 'vault_scope',
  });
});

test('unknown credential: vault_not_found, nothing sent', async () => {
  const before = server.seen.length;
  await assert.rejects(executeWithVault(req({ credential: 'nope' }), { store }), {
    code: 'vault_not_found',
  });
  assert.equal(server.seen.length, before);
});

test('timeout aborts with vault_timeout', async (t) => {
  server.handler = () => undefined; // never answers
  t.after(() => (server.handler = echo));
  const started = Date.now();
  await assert.rejects(executeWithVault(req({ timeoutMs: 150 }), { store }), {
    code: 'vault_timeout',
  });
  // Ended by its own timeout: the server never answers, and the abort came no earlier than asked
  // (a lower bound, which the machine's load cannot break).
  assert.ok(Date.now() - started >= 140, 'aborted before its timeout');
});

test('size cap: stops reading an endless body, keeps exactly maxResponseBytes, marks truncated', async (t) => {
  server.handler = (_req, res) => {
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  };
  t.after(() => (server.handler = echo));
  const res = await executeWithVault(req({ maxResponseBytes: 100_000, timeoutMs: 5000 }), {
    store,
  });
  assert.equal(res.truncated, true);
  assert.equal(res.body.length, 100_000);
});

test('a secret cut in half by the size cap is still redacted', async (t) => {
  server.handler = (_req, res) => res.end(`${'y'.repeat(90)}${SECRET}`);
  t.after(() => (server.handler = echo));
  const res = await executeWithVault(req({ maxResponseBytes: 96 }), { store });
  assert.equal(res.truncated, true);
  assert.equal(res.body, `${'y'.repeat(90)}[redacted]`);
});

test('echoes in headers and in base64 / URL-encoded / JSON-escaped forms are redacted', async (t) => {
  server.handler = (seen, res) => {
    res.setHeader('x-echo', String(seen.headers.authorization));
    res.setHeader('x-echo-b64', Buffer.from(SECRET).toString('base64'));
    res.end(
      `${encodeURIComponent(SECRET)} ${Buffer.from(SECRET).toString('base64')} ${JSON.stringify({ s: SECRET })}`,
    );
  };
  t.after(() => (server.handler = echo));
  const res = await executeWithVault(req(), { store });
  assertNoLeak(JSON.stringify(res), SECRET, 'response');
  assert.equal(res.headers['x-echo'], 'Bearer [redacted]');
  assert.equal(res.body, '[redacted] [redacted] {"s":"[redacted]"}');
});

test('redirects are reported, never followed (other host or same host)', async (t) => {
  let location = 'https://evil.example/steal';
  server.handler = (_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', location);
    res.end();
  };
  t.after(() => (server.handler = echo));
  const before = server.seen.length;
  const away = await executeWithVault(req(), { store });
  assert.equal(away.status, 302);
  assert.deepEqual(away.redirect, { location, sameHost: false });
  location = '/api/elsewhere';
  const same = await executeWithVault(req(), { store });
  assert.deepEqual(same.redirect, { location, sameHost: true });
  assert.equal(server.seen.length, before + 2, 'no redirect was followed');
});

test('network errors and logs carry no secret, even when fetch quotes the header value', async () => {
  const { logger, lines } = capturedLogger();
  const port = new URL(server.origin).port;
  // Nothing listens on port 1: the connection is refused.
  await assert.rejects(
    executeWithVault(req({ url: 'http://127.0.0.1:1/api/x' }), { store, logger }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'vault_network');
      assertNoLeak(err.message, SECRET, 'error message');
      return true;
    },
  );
  // A fetch stand-in that fails the way undici does for bad header values: quoting the value.
  const quoting: typeof fetch = (_url, init) =>
    Promise.reject(
      new TypeError(`invalid header value "${new Headers(init?.headers).get('authorization')}"`),
    );
  await assert.rejects(
    executeWithVault(req(), { store, logger, fetch: quoting }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'vault_network');
      assert.match(err.message, /Bearer \[redacted\]/);
      return true;
    },
  );
  await executeWithVault(req({ url: `${server.origin}/api/ok`, credential: 'query' }), {
    store,
    logger,
  });
  const log = lines.join('');
  assert.match(log, /vault request sent/);
  assert.match(log, /"credentialName":"query"/);
  assert.match(log, new RegExp(`127.0.0.1:${port}`));
  assertNoLeak(log, SECRET, 'log output');
});

test('bad requests are refused before the network', async () => {
  const before = server.seen.length;
  await assert.rejects(executeWithVault(req({ url: 'ftp://127.0.0.1/api/x' }), { store }), {
    code: 'vault_bad_request',
  });
  await assert.rejects(executeWithVault(req({ url: 'not a url' }), { store }), {
    code: 'vault_bad_request',
  });
  await assert.rejects(executeWithVault(req({ idempotencyKey: '' }), { store }), {
    code: 'vault_bad_request',
  });
  await assert.rejects(executeWithVault(req({ body: 'x' }), { store }), {
    code: 'vault_bad_request',
  });
  await assert.rejects(executeWithVault(req({ url: `http://u:p@127.0.0.1/api/x` }), { store }), {
    code: 'vault_bad_request',
  });
  assert.equal(server.seen.length, before);
});

function echo(
  seen: Parameters<TestServer['handler']>[0],
  res: Parameters<TestServer['handler']>[1],
): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(seen));
}
