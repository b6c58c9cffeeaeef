// How property and fuzz tests (the sanitizer's, the policy evaluator's) run in CI: each property once per fixed seed (the
// same runs every time; seeds that once found a bug stay as regressions) and once with a random
// seed, printed before it starts. Shrinking is off (`endOnFailure`): fast-check shrinks
// synchronously, so a failure found late could shrink for many minutes past every timeout. A
// failure is reported at once with its seed and path; replay it with shrinking on to minimize it.
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';

/** The seed every property runs with in CI, besides its own regression seeds. */
export const FIXED_SEED = 19;

/**
 * Register `name` as tests: `numRuns` runs for each fixed seed (FIXED_SEED and `seeds`), then a
 * quarter of that with a random seed.
 */
export function seededProperty<Ts>(
  name: string,
  property: fc.IProperty<Ts>,
  numRuns: number,
  seeds: readonly number[] = [],
): void {
  for (const seed of [FIXED_SEED, ...seeds]) {
    test(`${name} (seed ${seed})`, () => {
      fc.assert(property, { seed, numRuns, endOnFailure: true });
    });
  }
  test(`${name} (random seed)`, (t) => {
    const seed = randomInt(2 ** 31 - 1);
    // Printed first, so even a run ended from outside says which seed it was.
    process.stdout.write(`# ${name}: random seed ${seed}\n`);
    t.diagnostic(`random seed ${seed}`);
    fc.assert(property, { seed, numRuns: Math.ceil(numRuns / 4), endOnFailure: true });
  });
}

/**
 * Inside one test: check `property` with `numRuns` runs at FIXED_SEED, then a quarter of that with
 * a random seed printed first; shrinking off either way, so a failure never looks like a hang.
 */
export async function assertSeeded<Ts>(
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  await fc.assert(property, { seed: FIXED_SEED, numRuns, endOnFailure: true });
  const seed = randomInt(2 ** 31 - 1);
  process.stdout.write(`# random seed ${seed}\n`);
  await fc.assert(property, { seed, numRuns: Math.ceil(numRuns / 4), endOnFailure: true });
}
