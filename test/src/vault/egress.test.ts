// The vault's one way out, called directly as its three callers call it: a credential resolved by
// name (the action executor, the model proxy) or handed in resolved (A2A) or none; the body read
// whole and scrubbed, or relayed chunk by chunk under the cap (the model's stream); the caller's
// own signal ending the exchange as `vault_network`, its own time limit as `vault_timeout`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { egress, type EgressRequest } from '../../../src/vault/egress.ts';
import { FileCredentialStore } from '../../../src/vault/file-store.ts';
import { newKey, startServer, tempDir, type TestServer } from './helpers.ts';

const SECRET = 'sk_egress_0123456789abcdef';
const scope = { hosts: ['127.0.0.1'], methods: ['GET'], paths: ['/**'], agents: ['bot'] };
let server: TestServer;
let store: FileCredentialStore;

before(async () => {
  server = await startServer();
  store = new FileCredentialStore({
    path: join(tempDir(), 'vault.json'),
    keys: { active: newKey() },
  });
  await store.put({ name: 'key', kind: 'bearer', scope, secret: SECRET });
});
after(() => server?.close());

const out = (over: Partial<EgressRequest> = {}): EgressRequest => ({
  agent: 'bot',
  credential: 'key',
  method: 'GET',
  url: new URL(`${server.origin}/echo`),
  headers: new Headers(),
  maxBytes: 100_000,
  ...over,
});

test('by name or resolved: the secret is injected and scrubbed from headers and body', async () => {
  server.handler = (seen, res) => {
    res.setHeader('x-echo', String(seen.headers.authorization));
    res.end(JSON.stringify(seen.headers));
  };
  const resolved = await store.resolve('key');
  for (const credential of ['key', resolved ?? null]) {
    const answer = await egress(out({ credential }), { store });
    assert.equal(server.seen.at(-1)?.headers.authorization, `Bearer ${SECRET}`);
    assert.equal(answer.headers['x-echo'], 'Bearer [redacted]');
    const { text, truncated } = await answer.text();
    assert.equal(truncated, false);
    assert.match(text, /"authorization":"Bearer \[redacted\]"/);
    assert.ok(!text.includes(SECRET));
  }
});

test('no credential: nothing injected, nothing scrubbed, no scope to pass', async () => {
  server.handler = (seen, res) => res.end(`auth=${String(seen.headers.authorization)}`);
  const answer = await egress(out({ credential: null, agent: 'anyone' }), {});
  assert.deepEqual(answer.forms, []);
  assert.equal((await answer.text()).text, 'auth=undefined');
});

test('relayed: chunks handed on while they fit in the cap; past it, cut and said so', async () => {
  server.handler = (_seen, res) => {
    res.write('a'.repeat(1000));
    setTimeout(() => res.end('b'.repeat(5000)), 20);
  };
  const answer = await egress(out({ maxBytes: 3000 }), { store });
  let relayed = 0;
  const read = await answer.relay((chunk) => {
    relayed += chunk.length;
  });
  assert.equal(read.truncated, true);
  assert.ok(relayed <= 3000, `at most the cap was handed on (${relayed})`);
  assert.ok(read.received > 3000, 'the chunk that crossed the cap is counted');
});

test("the caller's signal ends it as vault_network; its own time limit as vault_timeout", async () => {
  server.handler = () => undefined; // never answers
  const gone = new AbortController();
  const leaving = egress(out({ signal: gone.signal }), { store });
  gone.abort();
  await assert.rejects(leaving, { code: 'vault_network' });
  await assert.rejects(egress(out({ timeoutMs: 100 }), { store }), { code: 'vault_timeout' });
});
