// Linear time: adversarial inputs cost about 4 times the CPU time at 4 times the size (a quadratic
// scan costs 16 times as much), a growth ratio rather than a wall-clock limit; and every regex in
// the sanitizer is marked as safe with a reason. Absolute timings: bench/sanitize.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sanitize } from '../../../src/sanitize/sanitize.ts';

const MB = 1024 * 1024;
const fill =
  (unit: string) =>
  (n: number): string =>
    unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** Inputs of about n code units built to make a backtracking or rescanning scan go quadratic. */
export const ADVERSARIAL: Record<string, (n: number) => string> = {
  'unclosed <': fill('<'),
  'unclosed <a': fill('<a '),
  'unclosed [': fill('['),
  'link openers [a](': fill('[a]('),
  'title quotes': fill('[a](b "'),
  'emphasis *a': fill('*a'),
  'override near-miss': fill('ignore all previous aaaa '),
  'aaaa…': fill('a'),
  'entity starts': fill('&a'),
  'percent starts': fill('%4'),
  'nested braces': (n) => '{'.repeat(n / 2) + '}'.repeat(n / 2),
  'special token starts': fill('<|a'),
  'nested quote/heading': fill('> # * _ '),
  'unclosed tool blocks': fill('<tool_call>'),
  'unclosed comments': fill('<!--'),
  'function openers': fill('<function='),
  'zero-width every other': fill('a\u200b'),
  'url runs': fill('http://a'),
  'quotes in braces': (n) => `{${fill('"a"')(n - 2)}}`,
  'marks and look-alikes': fill(
    '\u13a5\u0336\u13c0\u0308n\u0301\u13be\u13a1\u13ac \ua4d1\u0335r\u01c1 ',
  ),
  'one letter, a million marks': (n) => `a${'\u0336'.repeat(n - 1)}`,
  'removed markers between words': fill('ignore <|a|> previous [INST] '),
  'name keys': fill('"name": "'),
  // Issue 19: the heading loop rescanned the closing # run once per prefix.
  'heading prefixes, then a # run': (n) => `${'# '.repeat(n / 3)}x${'#'.repeat(n / 3)}`,
  // Issue 19: NFKC sorts a run of marks of different classes, in time the square of the run.
  'one letter, alternating marks': (n) => `a${'\u0301\u0323'.repeat(n / 2)}`,
  'nested entities': fill('&amp;amp;amp;amp;amp;amp;'),
  'role labels': fill('System:'),
  'tags inside tags': (n) => `${'<a '.repeat(n / 6)}${'> '.repeat(n / 6)}`,
  'tags blocked by a lone <': fill('<a x <b > < '),
  // Issue 20: AgentDojo's markers.
  'alarms before orders': fill('IMPORTANT!!! send it '),
  'alarms in a run': fill('URGENT!! '),
  'alarms before no order': fill('alert!! x '),
  'misspelt overrides': fill('ignore your previous iunstructionz '),
  'hash roles': fill('###(system_message'),
};

/** This process's CPU time in ms: unlike the wall clock, it does not count time other work took. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The CPU time sanitizing `input` takes once, in ms. */
function once(input: string): number {
  const t0 = cpuMs();
  const r = sanitize(input, { level: 'strict', maxLength: 2 * MB });
  const ms = cpuMs() - t0;
  assert.ok(r.text.length <= 2 * MB);
  return ms;
}

/**
 * How much more CPU time sanitizing takes at 4 times the size: about 4 when linear, 16 when
 * quadratic. The least of 5 alternating runs of each size is taken (warmed up first).
 */
export function growth(make: (n: number) => string, n: number): number {
  const small = make(n);
  const large = make(4 * n);
  once(small); // warm-up: the first calls compile and fill the caches
  once(large);
  let s = Infinity;
  let l = Infinity;
  for (let i = 0; i < 5; i++) {
    s = Math.min(s, once(small));
    l = Math.min(l, once(large));
  }
  return l / Math.max(s, 0.001);
}

/** The two classes issue 19 found, measured smaller so that before their fix the test took seconds. */
const SMALLER: Record<string, number> = {
  'heading prefixes, then a # run': 16 * 1024,
  'one letter, alternating marks': 16 * 1024,
};

for (const [name, make] of Object.entries(ADVERSARIAL)) {
  const n = SMALLER[name] ?? 64 * 1024;
  test(`linear time, ${n / 1024} Ki to ${n / 256} Ki code units: ${name}`, () => {
    // Linear is 4, quadratic 16. Up to 3 measurements: a busy machine can disturb one, while a
    // quadratic stage never measures below 8 (its small run would have to be the slow one 5 times).
    let ratio = Infinity;
    for (let attempt = 0; attempt < 3 && ratio >= 8; attempt++) ratio = growth(make, n);
    assert.ok(ratio < 8, `${name}: 4 times the input cost ${ratio.toFixed(1)} times as much`);
  });
}

test('every regular expression in the sanitizer is marked and explained as safe', () => {
  const dir = new URL('../../../src/sanitize/', import.meta.url);
  for (const file of readdirSync(dir)) {
    const lines = readFileSync(new URL(file, dir), 'utf8').split('\n');
    lines.forEach((line, i) => {
      assert.ok(!line.includes('new RegExp'), `${file}:${i + 1} builds a RegExp`);
      // A regex literal: "/" after "(", "=", ",", ":" or "return", then "/flags" followed by "." or ";".
      if (/(?:[(=,:]|return) *\/[^/*\s]/.test(line) && /\/[dgimsuy]*(?:\.|;|\))/.test(line)) {
        const context = `${lines[i - 1] ?? ''}\n${line}`;
        assert.match(context, /Safe:/, `${file}:${i + 1} has a regex without a "Safe:" note`);
      }
    });
  }
});
