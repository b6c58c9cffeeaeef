// The A2A server's per-client pieces on their own: context ids minted for one client are accepted
// for it only and not when altered; token buckets refill at their rate and say how long to wait.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseA2ATokens } from '../../src/config/a2a-tokens.ts';
import { contextIds } from '../../src/a2a/contexts.ts';
import { RateLimiter } from '../../src/a2a/limits.ts';

const clients = parseA2ATokens(`partner=${'p'.repeat(32)},other=${'o'.repeat(32)}`);

test('a context id is the client’s own: minted for it, refused for others and when altered', () => {
  const ids = contextIds(clients);
  const id = ids.mint('partner', 'task-1');
  assert.match(id, /^[0-9a-f]{32}\.[0-9a-f]{32}$/);
  assert.equal(ids.mint('partner', 'task-1'), id, 'a retried send gets the same context');
  assert.ok(ids.owns('partner', id));
  assert.ok(!ids.owns('other', id));
  assert.ok(!ids.owns('nobody', id));
  const flipped = `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
  assert.ok(!ids.owns('partner', flipped));
  for (const bad of ['', 'ctx-1', `${id}x`, id.replace('.', '-')])
    assert.ok(!ids.owns('partner', bad));
  // Another server with other tokens does not know this server's contexts.
  const elsewhere = contextIds(parseA2ATokens(`partner=${'q'.repeat(32)}`));
  assert.ok(!elsewhere.owns('partner', id));
});

test('a token bucket allows its burst, then one request per interval, and says how long to wait', () => {
  const limiter = new RateLimiter(60, 2); // one a second, burst 2
  const t0 = 1_000_000;
  assert.equal(limiter.take('a', t0), 0);
  assert.equal(limiter.take('a', t0), 0);
  assert.equal(limiter.take('a', t0), 1000);
  assert.equal(limiter.take('b', t0), 0, 'each key has its own bucket');
  assert.equal(limiter.take('a', t0 + 500), 500);
  assert.equal(limiter.take('a', t0 + 1000), 0);
});
