// Fuzzing with hostile mixtures, long repeated inputs and random bytes, asserting every property.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inspect, sanitize, sanitizeBytes } from '../../../src/sanitize/sanitize.ts';
import { hostileText, level } from './arbitraries.ts';
import { residue } from './oracles.ts';

function checkAll(input: string, lv: 'lenient' | 'standard' | 'strict', max: number): void {
  const r = sanitize(input, { level: lv, maxLength: max });
  assert.ok(r.text.length <= max, 'length');
  assert.equal(sanitize(r.text, { level: lv, maxLength: max }).text, r.text, 'idempotent');
  assert.deepEqual(inspect(r.text, lv), [], 'detectors');
  assert.deepEqual(residue(r.text), [], `residue in ${JSON.stringify(r.text)}`);
  for (const x of r.removed) assert.ok(x.excerpt.length <= 80, 'excerpt');
  assert.ok(!r.removed.some((x) => x.kind === 'unstable'), 'converged');
}

test('fuzz: hostile mixtures, many runs, every property at once', () => {
  fc.assert(
    fc.property(
      hostileText,
      level,
      fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.constant(100_000)),
      checkAll,
    ),
    { numRuns: 6000 },
  );
});

test('fuzz: hostile mixtures repeated into long inputs', () => {
  fc.assert(
    fc.property(hostileText, fc.integer({ min: 10, max: 200 }), level, (t, n, lv) =>
      checkAll(t.repeat(n), lv, 1_000_000),
    ),
    { numRuns: 40 },
  );
});

test('fuzz: random bytes decode to clean text', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), level, (bytes, lv) => {
      const r = sanitizeBytes(bytes, { level: lv, maxLength: 100_000 });
      assert.deepEqual(residue(r.text), []);
      assert.equal(sanitize(r.text, { level: lv, maxLength: 100_000 }).text, r.text);
    }),
    { numRuns: 1000 },
  );
});
