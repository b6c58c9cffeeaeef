// Shared fixtures for the policy tests: parse YAML text into a LoadedPolicy, and catch problems.
import assert from 'node:assert/strict';
import { parsePolicySet } from '../../../src/policy/load.ts';
import type { PolicyInvalidError } from '../../../src/policy/problems.ts';
import type { LoadedPolicy, PolicyProblem } from '../../../src/policy/types.ts';

/** Parse one or more YAML texts (named a.yaml, b.yaml, … unless named) into a policy. */
export function policyOf(...texts: (string | { file: string; text: string })[]): LoadedPolicy {
  return parsePolicySet(
    texts.map((t, i) =>
      typeof t === 'string' ? { file: `${String.fromCharCode(97 + i)}.yaml`, text: t } : t,
    ),
  );
}

/** The problems parsing the texts reports; fails when it succeeds. */
export function problemsOf(...texts: (string | { file: string; text: string })[]): PolicyProblem[] {
  try {
    policyOf(...texts);
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'policy_invalid');
    return (err as PolicyInvalidError).problems;
  }
  assert.fail('expected the policy to be invalid');
}

/** The one problem whose message matches `pattern`; fails when there is not exactly one. */
export function theProblem(problems: PolicyProblem[], pattern: RegExp): PolicyProblem {
  const found = problems.filter((p) => pattern.test(p.message));
  assert.equal(
    found.length,
    1,
    `expected one problem matching ${pattern}, got:\n${JSON.stringify(problems, null, 1)}`,
  );
  return found[0]!;
}

/** Where the one problem matching `pattern` points: [file, line, column, path]. */
export function problemAt(problems: PolicyProblem[], pattern: RegExp): unknown[] {
  const p = theProblem(problems, pattern);
  return [p.file, p.line, p.column, p.path];
}

/** A request from support-bot to the refunds API, with `body`. */
export { refundRequest as refund } from '../../helpers/requests.ts';

/** Users, a group and an agent with a capability: the start of most test policies. */
export const base = `
users:
  - { id: alice, displayName: Alice, tenantId: t1, aadObjectId: a-1, slackUserId: UALICE }
  - { id: bob, displayName: Bob, tenantId: t1, aadObjectId: b-1, slackUserId: UBOB }
  - { id: carol, displayName: Carol, tenantId: t1, aadObjectId: c-1, slackUserId: UCAROL, email: carol@example.com }
  - { id: dan, displayName: Dan, slackUserId: UDAN }
groups:
  - { id: leads, members: [bob, carol] }
agents:
  - id: support-bot
    sensitivity: action
    capabilities: [refunds-api]
    credentials: [refunds-key]
  - id: other-bot
    sensitivity: action
    capabilities: [refunds-api]
    credentials: [refunds-key]
capabilities:
  - id: refunds-api
    baseUrl: http://127.0.0.1:4010
    methods: [POST, GET]
    paths: [/refunds, /refunds/**]
    credential: refunds-key
`;

/** `base` with research-bot, which may ask writer-bot, then `rest` (`links:` items and more). */
export const researchAsksWriter = (rest: string): LoadedPolicy =>
  policyOf(
    base,
    `
agents:
  - { id: research-bot, sensitivity: research, mayAsk: [writer-bot] }
  - { id: writer-bot, sensitivity: research }
links:
${rest}`,
  );

/** The users `base` defines, as a resolved policy shows them. */
export const baseUsers = {
  alice: {
    id: 'alice',
    displayName: 'Alice',
    tenantId: 't1',
    aadObjectId: 'a-1',
    slackUserId: 'UALICE',
  },
  bob: { id: 'bob', displayName: 'Bob', tenantId: 't1', aadObjectId: 'b-1', slackUserId: 'UBOB' },
  carol: {
    id: 'carol',
    displayName: 'Carol',
    tenantId: 't1',
    aadObjectId: 'c-1',
    slackUserId: 'UCAROL',
    email: 'carol@example.com',
  },
};
