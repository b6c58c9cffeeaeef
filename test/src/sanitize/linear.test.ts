// Linear time: 1 MB adversarial inputs finish quickly, and every regex in the sanitizer is marked
// as safe with a reason.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sanitize } from '../../../src/sanitize/sanitize.ts';

const MB = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

/** Inputs built to make a backtracking or rescanning implementation go quadratic or worse. */
export const ADVERSARIAL: Record<string, string> = {
  'unclosed <': '<'.repeat(MB),
  'unclosed <a': fill('<a '),
  'unclosed [': '['.repeat(MB),
  'link openers [a](': fill('[a]('),
  'title quotes': fill('[a](b "'),
  'emphasis *a': fill('*a'),
  'override near-miss': fill('ignore all previous aaaa '),
  'aaaa…': 'a'.repeat(MB),
  'entity starts': fill('&a'),
  'percent starts': fill('%4'),
  'nested braces': '{'.repeat(MB / 2) + '}'.repeat(MB / 2),
  'special token starts': fill('<|a'),
  'nested quote/heading': fill('> # * _ '),
  'unclosed tool blocks': fill('<tool_call>'),
  'unclosed comments': fill('<!--'),
  'function openers': fill('<function='),
  'zero-width every other': fill('a\u200b'),
  'url runs': fill('http://a'),
  'quotes in braces': `{${fill('"a"')}}`,
  'marks and look-alikes': fill(
    '\u13a5\u0336\u13c0\u0308n\u0301\u13be\u13a1\u13ac \ua4d1\u0335r\u01c1 ',
  ),
  'one letter, a million marks': `a${'\u0336'.repeat(MB - 1)}`,
  'removed markers between words': fill('ignore <|a|> previous [INST] '),
};

for (const [name, input] of Object.entries(ADVERSARIAL)) {
  test(`1 MB adversarial input finishes quickly: ${name}`, () => {
    const t0 = performance.now();
    const r = sanitize(input, { level: 'strict', maxLength: 2 * MB });
    const ms = performance.now() - t0;
    // Quadratic behaviour on 1 MB takes minutes; this bound only allows for a loaded machine.
    assert.ok(ms < 5000, `${name}: ${ms.toFixed(0)} ms`);
    assert.ok(r.text.length <= 2 * MB);
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
