// A generated corpus of mutated webhook bodies: recorded real Teams activities with one to three
// fields replaced by values of the wrong type (numbers, strings, arrays, objects, null) or deleted,
// the way a fuzzer or a broken client would send them. Deterministic: fast-check with a fixed seed.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const fixtureDir = new URL('../../fixtures/recorded-webhooks/', import.meta.url);

/** Every recorded Teams activity in test/fixtures/recorded-webhooks/teams/. */
export function recordedTeamsActivities(): Record<string, Json>[] {
  const out: Record<string, Json>[] = [];
  for (const file of ['actions-reactions', 'channel', 'dm', 'general']) {
    const doc = JSON.parse(
      readFileSync(new URL(`teams/${file}.json`, fixtureDir), 'utf8'),
    ) as Record<string, Json>;
    for (const value of Object.values(doc)) {
      if (value && typeof value === 'object' && !Array.isArray(value) && 'type' in value) {
        out.push(value);
      }
    }
  }
  return out;
}

/** Every path to a value inside `value` (object keys and array indexes), the root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

function setPath(root: Json, path: (string | number)[], replacement: Json | undefined): void {
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
}

const wrongValue: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.string({ maxLength: 12 }),
  fc.constant(''),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null)), {
    maxLength: 3,
  }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.constant(null)), {
    maxKeys: 3,
  }),
  fc.constant({ id: 42 }),
  fc.constant([{}] as Json),
);

/** `count` mutated copies of `bases`, each with `prepare` applied before mutation. */
export function mutatedActivities(
  bases: Record<string, Json>[],
  count: number,
  seed = 20260101,
): string[] {
  const arb = fc.record({
    base: fc.nat({ max: bases.length - 1 }),
    edits: fc.array(fc.tuple(fc.nat(), wrongValue), { minLength: 1, maxLength: 3 }),
  });
  return fc.sample(arb, { numRuns: count, seed }).map(({ base, edits }, n) => {
    const body = structuredClone(bases[base] as Json) as Record<string, Json>;
    body['id'] = `mut-${n}`;
    for (const [pick, replacement] of edits) {
      const all = paths(body);
      const path = all[pick % all.length];
      if (path) setPath(body, path, structuredClone(replacement));
    }
    return JSON.stringify(body);
  });
}
