import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../../src/policy/duration.ts';
import { evaluate } from '../../../src/policy/evaluate.ts';
import { base, policyOf, refund } from './helpers.ts';

const wednesday10utc = new Date('2025-06-04T10:00:00Z');

/** The decision of a single allow rule with `when` conditions for `body`. */
function holds(when: string, body: unknown): boolean {
  const p = policyOf(base, `rules: [{ id: r, when: ${when}, decision: allow }]`);
  return evaluate(p, refund(body), wednesday10utc).decision === 'allow';
}

test('equals compares scalars strictly (no type coercion)', () => {
  assert.equal(holds('[{ field: currency, equals: EUR }]', { currency: 'EUR' }), true);
  assert.equal(holds('[{ field: currency, equals: EUR }]', { currency: 'eur' }), false);
  assert.equal(holds('[{ field: amount, equals: 5 }]', { amount: '5' }), false);
  assert.equal(holds('[{ field: urgent, equals: true }]', { urgent: true }), true);
  assert.equal(holds('[{ field: note, equals: null }]', { note: null }), true);
  assert.equal(holds('[{ field: note, equals: null }]', {}), false);
});

test('in matches any listed value', () => {
  assert.equal(holds('[{ field: currency, in: [EUR, USD] }]', { currency: 'USD' }), true);
  assert.equal(holds('[{ field: currency, in: [EUR, USD] }]', { currency: 'GBP' }), false);
  assert.equal(holds('[{ field: code, in: [1, 2] }]', { code: 2 }), true);
});

test('numeric comparisons hold at their boundaries and need a finite number', () => {
  const cases: [string, number, boolean][] = [
    ['lt: 50', 49.99, true],
    ['lt: 50', 50, false],
    ['lte: 50', 50, true],
    ['lte: 50', 50.01, false],
    ['gt: 50', 50, false],
    ['gt: 50', 50.01, true],
    ['gte: 50', 50, true],
    ['gte: 50', 49, false],
  ];
  for (const [op, amount, expected] of cases) {
    assert.equal(holds(`[{ field: amount, ${op} }]`, { amount }), expected, `${op} ${amount}`);
  }
  assert.equal(holds('[{ field: amount, lte: 50 }]', { amount: '10' }), false);
  assert.equal(holds('[{ field: amount, gt: 0 }]', { amount: null }), false);
  // Several operators in one condition must all hold: a range.
  assert.equal(holds('[{ field: amount, gt: 10, lte: 20 }]', { amount: 15 }), true);
  assert.equal(holds('[{ field: amount, gt: 10, lte: 20 }]', { amount: 25 }), false);
});

test('glob matches strings only, with the shared glob matcher', () => {
  assert.equal(holds('[{ field: orderId, glob: ORD-* }]', { orderId: 'ORD-123' }), true);
  assert.equal(holds('[{ field: orderId, glob: ORD-* }]', { orderId: 'INV-123' }), false);
  assert.equal(holds("[{ field: ref, glob: 'refs/tags/**' }]", { ref: 'refs/tags/v1/rc' }), true);
  assert.equal(holds("[{ field: ref, glob: 'refs/tags/*' }]", { ref: 'refs/tags/v1/rc' }), false);
  assert.equal(holds('[{ field: orderId, glob: "*" }]', { orderId: 7 }), false);
});

test('dotted field paths reach nested objects and array items, own properties only', () => {
  assert.equal(
    holds('[{ field: customer.tier, equals: gold }]', { customer: { tier: 'gold' } }),
    true,
  );
  assert.equal(
    holds('[{ field: items.1.sku, equals: B }]', { items: [{ sku: 'A' }, { sku: 'B' }] }),
    true,
  );
  assert.equal(holds('[{ field: items.2.sku, equals: B }]', { items: [{ sku: 'B' }] }), false);
  assert.equal(holds('[{ field: customer.tier, equals: gold }]', { customer: 'gold' }), false);
  assert.equal(holds('[{ field: customer.tier, equals: gold }]', undefined), false);
  // Inherited properties are not fields: "constructor" on a plain object does not exist.
  assert.equal(holds('[{ field: constructor.name, equals: Object }]', {}), false);
  assert.equal(holds('[{ field: length, equals: 2 }]', [1, 2]), false);
});

test('every condition of a rule must hold', () => {
  const when = '[{ field: amount, lte: 50 }, { field: currency, equals: EUR }]';
  assert.equal(holds(when, { amount: 10, currency: 'EUR' }), true);
  assert.equal(holds(when, { amount: 10, currency: 'USD' }), false);
  assert.equal(holds(when, { amount: 60, currency: 'EUR' }), false);
});

/** Whether a rule with time window(s) `during` matches at `iso`. */
function inside(during: string, iso: string, settings = ''): boolean {
  const p = policyOf(base, `${settings}\nrules: [{ id: r, during: ${during}, decision: allow }]`);
  return evaluate(p, refund({}), new Date(iso)).decision === 'allow';
}

test('time windows check days and hours in their time zone, from inclusive, to exclusive', () => {
  const office =
    "{ days: [mon, tue, wed, thu, fri], from: '09:00', to: '17:00', timeZone: Europe/Berlin }";
  assert.equal(inside(office, '2025-06-04T07:00:00Z'), true); // Wed 09:00 Berlin (UTC+2)
  assert.equal(inside(office, '2025-06-04T06:59:00Z'), false); // Wed 08:59
  assert.equal(inside(office, '2025-06-04T15:00:00Z'), false); // Wed 17:00
  assert.equal(inside(office, '2025-06-04T14:59:00Z'), true);
  assert.equal(inside(office, '2025-06-07T10:00:00Z'), false); // Saturday
  // Winter time: Berlin is UTC+1, so 08:00Z is 09:00 local.
  assert.equal(inside(office, '2025-01-08T08:00:00Z'), true);
  assert.equal(inside(office, '2025-01-08T07:59:00Z'), false);
  // The day is the local one: Sunday 23:30 UTC is already Monday 01:30 in Berlin.
  assert.equal(inside('{ days: [mon], timeZone: Europe/Berlin }', '2025-06-08T23:30:00Z'), true);
});

test('a window without a time zone uses settings.timeZone, then UTC', () => {
  const window = "{ from: '09:00', to: '10:00' }";
  assert.equal(inside(window, '2025-06-04T09:30:00Z'), true);
  assert.equal(inside(window, '2025-06-04T09:30:00Z', 'settings: { timeZone: Asia/Tokyo }'), false);
  assert.equal(inside(window, '2025-06-04T00:30:00Z', 'settings: { timeZone: Asia/Tokyo }'), true);
});

test('a window past midnight belongs to the day it starts on', () => {
  const night = "{ days: [fri], from: '22:00', to: '06:00' }";
  assert.equal(inside(night, '2025-06-06T23:00:00Z'), true); // Fri 23:00
  assert.equal(inside(night, '2025-06-07T05:59:00Z'), true); // Sat 05:59, started Friday
  assert.equal(inside(night, '2025-06-07T06:00:00Z'), false);
  assert.equal(inside(night, '2025-06-06T05:00:00Z'), false); // Fri 05:00 belongs to Thursday
  assert.equal(inside(night, '2025-06-06T12:00:00Z'), false);
});

test('a list of windows matches when any of them does', () => {
  const windows = "[{ days: [sat] }, { days: [wed], from: '12:00' }]";
  assert.equal(inside(windows, '2025-06-07T01:00:00Z'), true);
  assert.equal(inside(windows, '2025-06-04T12:00:00Z'), true);
  assert.equal(inside(windows, '2025-06-04T11:00:00Z'), false);
});

test('durations are one whole number and one unit, at most a year', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('4h'), 14_400_000);
  assert.equal(parseDuration('3d'), 259_200_000);
  assert.equal(parseDuration('365d'), 365 * 86_400_000);
  for (const bad of ['366d', '0s', '1.5h', '90', '1h30m', '30 s', '30S', '-5m', '05m', 'h', '']) {
    assert.equal(parseDuration(bad), null, bad);
  }
});
