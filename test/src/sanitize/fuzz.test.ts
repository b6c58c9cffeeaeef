// Fuzzing with hostile mixtures, long repeated inputs and random bytes, asserting every property;
// each property runs with fixed seeds and one random seed, without shrinking (seeded.ts).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inspect, sanitize, sanitizeBytes } from '../../../src/sanitize/sanitize.ts';
import { hostileText, level } from './arbitraries.ts';
import { residue } from './oracles.ts';
import { seededProperty } from '../../helpers/seeded.ts';

function checkAll(input: string, lv: 'lenient' | 'standard' | 'strict', max: number): void {
  const r = sanitize(input, { level: lv, maxLength: max });
  assert.ok(r.text.length <= max, 'length');
  assert.equal(sanitize(r.text, { level: lv, maxLength: max }).text, r.text, 'idempotent');
  assert.deepEqual(inspect(r.text, lv), [], 'detectors');
  assert.deepEqual(residue(r.text), [], `residue in ${JSON.stringify(r.text)}`);
  for (const x of r.removed) assert.ok(x.excerpt.length <= 80, 'excerpt');
  assert.ok(!r.removed.some((x) => x.kind === 'unstable'), 'converged');
}

// Seeds found failing (issue 19): 763031201 after 3,624 runs; 1323523003, 34602, 31 within 40;
// 1160465400, 1059897597, 1463745153, 1819982876 found by longer runs after the first fixes.
seededProperty(
  'fuzz: hostile mixtures, many runs, every property at once',
  fc.property(
    hostileText,
    level,
    fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.constant(100_000)),
    checkAll,
  ),
  6000,
  [763031201],
);

seededProperty(
  'fuzz: hostile mixtures repeated into long inputs',
  fc.property(hostileText, fc.integer({ min: 10, max: 200 }), level, (t, n, lv) =>
    checkAll(t.repeat(n), lv, 1_000_000),
  ),
  40,
  [1323523003, 34602, 31, 1160465400, 1059897597, 1463745153, 1819982876],
);

seededProperty(
  'fuzz: random bytes decode to clean text',
  fc.property(fc.uint8Array({ maxLength: 2000 }), level, (bytes, lv) => {
    const r = sanitizeBytes(bytes, { level: lv, maxLength: 100_000 });
    assert.deepEqual(residue(r.text), []);
    assert.equal(sanitize(r.text, { level: lv, maxLength: 100_000 }).text, r.text);
  }),
  1000,
);
