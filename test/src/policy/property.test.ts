// Properties of the policy evaluator, each checked at a fixed seed and a printed random one with
// shrinking off (test/helpers/seeded.ts): deterministic, nothing-matches is deny, a rule-less
// decision is always a deny.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { evaluate } from '../../../src/policy/evaluate.ts';
import { loadPolicySet, parsePolicySet } from '../../../src/policy/load.ts';
import type { ActionRequest } from '../../../src/policy/types.ts';
import { assertSeeded } from '../../helpers/seeded.ts';
import { base } from './helpers.ts';

const examples = new URL('../../../policies/examples/', import.meta.url).pathname;

const json = fc.jsonValue({ maxDepth: 3 });
const anyRequest = (agents: string[], capabilities: string[]): fc.Arbitrary<ActionRequest> =>
  fc.record({
    agent: fc.oneof(fc.constantFrom(...agents), fc.string()),
    capability: fc.oneof(fc.constantFrom(...capabilities), fc.string()),
    method: fc.constantFrom('GET', 'POST', 'post', 'DELETE', 'PATCH'),
    path: fc.oneof(
      fc.constantFrom('/refunds', '/v1/refunds', '/v2/payments', '/repos/acme/web/deployments'),
      fc.string().map((s) => `/${s}`),
    ),
    body: fc.oneof(
      json,
      fc.record({
        amount: fc.oneof(fc.double(), fc.integer({ min: -10, max: 20_000 }), fc.string()),
        currency: fc.constantFrom('USD', 'EUR', 'JPY'),
        environment: fc.constantFrom('staging', 'production'),
        orderId: fc.constantFrom('ORD-1', 'X'),
        beneficiary: fc.record({ known: fc.boolean(), country: fc.constantFrom('US', 'KP') }),
      }),
    ),
  });
const anyTime = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});

test('evaluation is deterministic: same policy, request and time give the same decision', async () => {
  for (const name of ['customer-support-refunds', 'production-deploys', 'finance-payments']) {
    const one = await loadPolicySet(`${examples}${name}`);
    const two = await loadPolicySet(`${examples}${name}`); // a separate object: no shared cache
    const agents = one.set.agents.map((a) => a.id);
    const capabilities = one.set.capabilities.map((c) => c.id);
    await assertSeeded(
      fc.property(anyRequest(agents, capabilities), anyTime, (request, now) => {
        const first = evaluate(one, request, now);
        assert.deepEqual(evaluate(one, structuredClone(request), new Date(now)), first);
        assert.deepEqual(evaluate(two, request, now), first);
        assert.equal(first.policyHash, one.hash);
      }),
      300,
    );
  }
});

const ruleArb = (i: number) =>
  fc.record(
    {
      id: fc.constant(`rule-${i}`),
      agent: fc.subarray(['support-bot', 'other-bot'], { minLength: 1 }),
      method: fc.subarray(['GET', 'POST'], { minLength: 1 }),
      path: fc.subarray(['/refunds', '/refunds/*', '/refunds/**'], { minLength: 1 }),
      when: fc.array(
        fc.oneof(
          fc.record({ field: fc.constantFrom('a', 'b.c'), lte: fc.integer() }),
          fc.record({
            field: fc.constantFrom('a', 'b.c'),
            in: fc.array(fc.integer(), { minLength: 1 }),
          }),
          fc.record({ field: fc.constantFrom('s'), glob: fc.constantFrom('x*', '*', 'a?c') }),
        ),
        { maxLength: 2 },
      ),
      decision: fc.constantFrom('allow', 'deny', 'approve'),
    },
    { requiredKeys: ['id', 'decision', 'when'] },
  );

const gatedPolicy = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(i))))
  .map((rules) =>
    parsePolicySet([
      { file: 'base.yaml', text: base },
      {
        file: 'rules.yaml',
        text: stringify({
          rules: rules.map((r) => ({
            ...r,
            // Every rule needs the gate open; requests below never open it.
            when: [...r.when, { field: 'gate', equals: 'open' }],
            ...(r.decision === 'approve' ? { approval: { approvers: { users: ['alice'] } } } : {}),
          })),
        }),
      },
    ]),
  );

test('when no rule matches, the decision is deny with no rule', async () => {
  const body = fc.record({
    a: fc.integer(),
    b: fc.record({ c: fc.integer() }),
    s: fc.string(),
    gate: fc.constantFrom('closed', 'OPEN', undefined),
  });
  const request = fc.record({
    agent: fc.constantFrom('support-bot', 'other-bot'),
    capability: fc.constant('refunds-api'),
    method: fc.constantFrom('GET', 'POST'),
    path: fc.constantFrom('/refunds', '/refunds/1', '/refunds/1/2'),
    body,
  });
  await assertSeeded(
    fc.property(gatedPolicy, request, anyTime, (policy, req, now) => {
      const d = evaluate(policy, req, now);
      assert.equal(d.decision, 'deny');
      assert.equal(d.rule, null);
      assert.deepEqual(d.approvers, []);
    }),
    200,
  );
});

test('a decision without a rule is always a deny, for any request and time', async () => {
  const policies = await Promise.all(
    ['customer-support-refunds', 'production-deploys', 'finance-payments'].map((n) =>
      loadPolicySet(`${examples}${n}`),
    ),
  );
  await assertSeeded(
    fc.property(
      fc.constantFrom(...policies),
      anyRequest(
        ['support-bot', 'deploy-bot', 'payments-bot'],
        ['shop-api', 'github-deployments', 'bank-api'],
      ),
      anyTime,
      (policy, request, now) => {
        const d = evaluate(policy, request, now);
        if (d.rule === null) assert.equal(d.decision, 'deny');
        else assert.ok(policy.set.rules.some((r) => r.id === d.rule && r.decision === d.decision));
      },
    ),
    500,
  );
});
