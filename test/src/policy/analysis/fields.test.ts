// What the requested audit record keeps in clear: exactly the body fields the policy decides on
// (rule conditions, grant key fields), under their dotted paths; nothing else of the body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyFields, policyFields } from '../../../../src/policy/analysis/fields.ts';

const policy = {
  set: {
    rules: [
      { when: [{ field: 'amount' }, { field: 'currency' }] },
      { when: [], approval: { grantKeyFields: ['beneficiary.iban'] } },
      { when: [{ field: 'urgent' }] },
    ],
  },
};

test('policyFields keeps the fields rules and grant keys name, in clear, and nothing else', () => {
  const body = {
    amount: 120,
    currency: 'EUR',
    memo: 'for the broken lamp',
    beneficiary: { iban: 'DE89370400440532013000', name: 'Ada Lovelace' },
    urgent: false,
  };
  assert.deepEqual(policyFields(policy, body), {
    amount: 120,
    currency: 'EUR',
    'beneficiary.iban': 'DE89370400440532013000',
    urgent: false,
  });
  assert.equal(bodyFields(body)['beneficiary.name'], 'Ada Lovelace');
  assert.deepEqual(policyFields(policy, undefined), {});
  assert.deepEqual(policyFields({ set: { rules: [] } }, body), {});
});
