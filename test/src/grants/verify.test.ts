// The grant check without a server: a grant covers requests only when its approving workflow
// started it and carries that workflow's approval, signed by the webhook, approving this kind, made
// on a card of the very run that started it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActiveGrant } from '../../../src/grants/grants.ts';
import { grantProblem } from '../../../src/grants/verify.ts';
import { parsePublicKeys } from '../../../src/receipts/keys.ts';
import { decisionChecker } from '../../../src/receipts/policy.ts';
import { click, people, signed, testDecisionKeys } from '../../helpers/actions.ts';

const from = 'action:req-9';
const check = decisionChecker(parsePublicKeys(testDecisionKeys.publicKey), true);
const approval = signed(
  from,
  click(people.alice, 'approve', 'abc', { grant: { kind: 'duration' } }),
);
const grant = (
  over: Partial<ActiveGrant['grant']> = {},
  startedBy: string | null = from,
  startedByRun: string | null = 'run-1',
) =>
  ({
    active: true,
    startedBy,
    startedByRun,
    grant: {
      id: 'grant:x',
      kind: 'duration',
      agent: 'support-bot',
      capability: 'refunds-api',
      method: 'POST',
      rule: 'refunds-large',
      fields: {},
      grantedBy: 'Alice Approver',
      grantedAt: new Date().toISOString(),
      until: new Date(Date.now() + 60_000).toISOString(),
      fromWorkflowId: from,
      approval: { v: 1, workflowId: from, decision: approval },
      ...over,
    },
  }) satisfies ActiveGrant;

test('a real grant passes; every forgery names why it covers nothing', () => {
  assert.equal(grantProblem(grant(), check), null);
  assert.equal(grantProblem(grant({}, null), check), 'not started by the approving workflow');
  assert.equal(
    grantProblem(grant({ approval: undefined }), check),
    'carries no approval from its workflow',
  );
  const tampered = { ...approval, approver: people.bob };
  assert.equal(
    grantProblem(grant({ approval: { v: 1, workflowId: from, decision: tampered } }), check),
    'signature does not verify',
  );
  const unsigned = click(people.alice, 'approve', 'abc', { grant: { kind: 'duration' } });
  assert.equal(
    grantProblem(grant({ approval: { v: 1, workflowId: from, decision: unsigned } }), check),
    'decision not signed by the webhook',
  );
  const rejected = signed(
    from,
    click(people.alice, 'reject', 'abc', { grant: { kind: 'duration' } }),
  );
  assert.equal(
    grantProblem(grant({ approval: { v: 1, workflowId: from, decision: rejected } }), check),
    'its decision did not approve',
  );
  assert.equal(
    grantProblem(grant({ kind: 'session' }), check),
    'its decision did not ask for a session grant',
  );
});

test("a grant whose approval was signed for another run of its workflow covers nothing (an earlier run's click replayed)", () => {
  const bound = signed(
    from,
    click(people.alice, 'approve', 'abc', { grant: { kind: 'duration' }, runId: 'run-1' }),
  );
  const approval = { v: 1 as const, workflowId: from, decision: bound };
  assert.equal(grantProblem(grant({ approval }, from, 'run-1'), check), null);
  assert.equal(
    grantProblem(grant({ approval }, from, 'run-2'), check),
    'its approval was made for another run than the one that started it',
  );
  // The run is signed: changing it breaks the signature.
  const moved = { ...bound, runId: 'run-2' };
  assert.equal(
    grantProblem(grant({ approval: { ...approval, decision: moved } }, from, 'run-2'), check),
    'signature does not verify',
  );
});
