// guardedFetch, the fetch every request to an external A2A agent goes through, against a real
// loopback server: the token only in scope (another port gets nothing and nothing is sent), plain
// http only to loopback, redirects not followed, a response over the cap refused, 401 named, and
// an echoed secret scrubbed from what comes back.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { guardedFetch } from '../../src/a2a/outbound.ts';
import type { CredentialInfo } from '../../src/vault/types.ts';

const secret = 'carrier-secret-0123456789abcdef';
let server: Server;
let base = '';
const seen: (string | undefined)[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'https://elsewhere.example/' });
      return res.end();
    }
    if (req.url === '/big') return res.end('x'.repeat(5000));
    if (req.url === '/denied') {
      res.writeHead(401);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ echo: req.headers.authorization }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

const info = (hosts: string[]): CredentialInfo => ({
  name: 'carrier-token',
  kind: 'bearer',
  scope: { hosts, methods: ['GET', 'POST'], paths: ['/**'], agents: ['support-bot'] },
  createdAt: '',
  updatedAt: '',
});
const guarded = (hosts = ['127.0.0.1:*'], maxBytes = 1000) =>
  guardedFetch({
    credential: { info: info(hosts), secret },
    agent: 'support-bot',
    maxBytes,
    timeoutMs: 5000,
  });

test('in scope: the token is sent, and its echo comes back redacted', async () => {
  const res = await guarded()(`${base}/card`);
  assert.equal(seen.at(-1), `Bearer ${secret}`);
  const body = await res.text();
  assert.doesNotMatch(body, new RegExp(secret));
  assert.match(body, /\[redacted\]/);
});

test('out of scope (another host:port): refused before anything is sent', async () => {
  const before = seen.length;
  await assert.rejects(guarded(['127.0.0.1:1'])(`${base}/card`), /vault_scope|may not be used/);
  assert.equal(seen.length, before);
});

test('plain http off loopback, redirects, oversize and 401 are refused with their codes', async () => {
  await assert.rejects(guarded(['*'])('http://agents.example.com/card'), {
    code: 'a2a_insecure',
  });
  await assert.rejects(guarded()(`${base}/redirect`), { code: 'a2a_redirect' });
  await assert.rejects(guarded()(`${base}/big`), { code: 'a2a_too_large' });
  await assert.rejects(guarded()(`${base}/denied`), { code: 'a2a_unauthorized' });
  // Without a credential no Authorization header goes out.
  const plain = guardedFetch({ credential: null, agent: 'x', maxBytes: 1000, timeoutMs: 5000 });
  await (await plain(`${base}/card`)).text();
  assert.equal(seen.at(-1), undefined);
});
