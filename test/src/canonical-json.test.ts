// Canonical JSON is what request, policy and decision hashes and signatures are computed over, so
// its bytes must never change: keys sorted by UTF-16 code unit at every level, undefined fields
// dropped, undefined and functions in arrays as null, no whitespace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../src/canonical-json.ts';

test('canonical JSON keeps its exact bytes', () => {
  const cases: [unknown, string][] = [
    [null, 'null'],
    [undefined, 'null'],
    ['a"b\n', '"a\\"b\\n"'],
    [[], '[]'],
    [{}, '{}'],
    [[undefined, null, () => 1, 2], '[null,null,null,2]'],
    [{ b: 1, a: { d: undefined, c: [1, { z: 1, y: 2 }] } }, '{"a":{"c":[1,{"y":2,"z":1}]},"b":1}'],
    [{ u: undefined, first: 1 }, '{"first":1}'],
    [{ é: 1, Z: 2, a: 3, '10': 4, '9': 5, '': 6 }, '{"":6,"10":4,"9":5,"Z":2,"a":3,"é":1}'],
    [{ '\u{1F600}': 1, '\uffff': 2 }, '{"\u{1F600}":1,"\uffff":2}'],
    [{ n: NaN, i: Infinity, d: new Date(0) }, '{"d":{},"i":null,"n":null}'],
  ];
  for (const [value, expected] of cases) assert.equal(canonicalJson(value), expected);
});
