// Request origins: a request whose turn another agent (a question or an answer through a link) or
// an A2A client started passes an `allow` rule only when the rule names that origin in `origins`
// (default: person only). Otherwise the rule does not match: the request falls through to the
// next rule, and the reason says which allow rule it missed and why. `policy check` warns about a
// link without approval into an action agent whose allow rules pass such requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from '../../../src/policy/evaluate.ts';
import { base, policyOf, problemsOf, refund, theProblem } from './helpers.ts';

const now = new Date('2025-06-04T10:00:00Z');

const rules = (extra = '') =>
  policyOf(
    base,
    `
rules:
  - id: small
    agent: support-bot
    capability: refunds-api
    when: [{ field: amount, lte: 50 }]
    decision: allow
${extra}
  - id: large
    agent: support-bot
    capability: refunds-api
    when: [{ field: amount, gt: 50 }]
    decision: approve
    approval: { approvers: { users: [alice] } }
`,
  );

test('a request a person started passes an allow rule; so does one without origins (the CLI)', () => {
  const p = rules();
  assert.equal(evaluate(p, refund({ amount: 20 }), now).decision, 'allow');
  assert.equal(evaluate(p, refund({ amount: 20 }, { origins: ['person'] }), now).decision, 'allow');
});

test('a request another agent or an A2A client started does not pass an allow rule by default', () => {
  const p = rules();
  for (const origins of [['agent'], ['a2a'], ['person', 'agent']] as const) {
    const d = evaluate(p, refund({ amount: 20 }, { origins: [...origins] }), now);
    assert.equal(d.decision, 'deny', origins.join());
    assert.equal(d.rule, null);
    // Never a deny without its reason: the allow rule it missed is named, and why.
    assert.match(
      d.reason,
      /rule "small" allows only requests a person started \(origins: person\); this one was started by (another agent|an A2A client)/,
    );
    assert.match(d.reason, /nothing matching means deny/);
  }
});

test('an origin the allow rule does not name falls through to the next rule, which says so', () => {
  const p = rules(`
  - id: small-from-agents
    agent: support-bot
    capability: refunds-api
    when: [{ field: amount, lte: 50 }]
    decision: approve
    approval: { approvers: { users: [bob] } }`);
  const d = evaluate(p, refund({ amount: 20 }, { origins: ['agent'] }), now);
  assert.equal(d.decision, 'approve');
  assert.equal(d.rule, 'small-from-agents');
  assert.deepEqual(
    d.approvers.map((a) => a.id),
    ['bob'],
  );
  assert.match(d.reason, /rule "small" allows only requests a person started/);
  // A person's request is still allowed by the first rule.
  assert.equal(evaluate(p, refund({ amount: 20 }), now).rule, 'small');
});

test('an allow rule that names the origins passes them; every origin of the turn must be named', () => {
  const p = policyOf(
    base,
    `
rules:
  - id: small
    capability: refunds-api
    when: [{ field: amount, lte: 50 }]
    origins: [person, agent]
    decision: allow
`,
  );
  assert.equal(evaluate(p, refund({ amount: 20 }, { origins: ['agent'] }), now).decision, 'allow');
  assert.equal(
    evaluate(p, refund({ amount: 20 }, { origins: ['person', 'agent'] }), now).decision,
    'allow',
  );
  const a2a = evaluate(p, refund({ amount: 20 }, { origins: ['agent', 'a2a'] }), now);
  assert.equal(a2a.decision, 'deny');
  assert.match(a2a.reason, /origins: person, agent\); this one was started by an A2A client/);
});

test('deny and approve rules match whatever the origin; origins is only for allow rules', () => {
  const p = rules();
  assert.equal(evaluate(p, refund({ amount: 90 }, { origins: ['a2a'] }), now).decision, 'approve');
  const problems = problemsOf(
    base,
    `
rules:
  - { id: r1, origins: [agent], decision: deny }
  - { id: r2, origins: [], decision: allow }
  - { id: r3, origins: [robot], decision: allow }
`,
  );
  theProblem(problems, /origins is for allow rules only/);
  assert.ok(problems.some((p) => p.path === '$.rules[1].origins'));
  assert.ok(problems.some((p) => p.path.startsWith('$.rules[2].origins')));
});

const linked = (link: string, origins = '') =>
  policyOf(
    base.replace(
      '  - id: other-bot\n',
      '  - id: web-bot\n    sensitivity: research\n    mayAsk: [support-bot]\n  - id: other-bot\n',
    ),
    `
rules:
  - id: small
    agent: support-bot
    capability: refunds-api
    when: [{ field: amount, lte: 50 }]
${origins}    decision: allow
links:
${link}
`,
  );

test('policy check warns about a link without approval into an agent whose allow rules pass its requests', () => {
  const open = `  - { from: web-bot, to: support-bot, approveQuestion: false, approveAnswer: false, onInstructions: allow }`;
  const warned = linked(open, '    origins: [person, agent]\n');
  const w = theProblem(warned.warnings, /web-bot/);
  assert.equal(w.path, '$.links[0]');
  assert.match(
    w.message,
    /questions from web-bot reach support-bot with nobody approving, and rule "small" allows support-bot's requests another agent started/,
  );
  // With the default (person only), the same link gets no warning: those requests do not pass.
  assert.deepEqual(linked(open).warnings, []);
  // A link whose questions are approved is not warned about either.
  const approved = `  - { from: web-bot, to: support-bot, approveAnswer: false, approval: { approvers: { users: [alice] } } }`;
  assert.deepEqual(linked(approved, '    origins: [person, agent]\n').warnings, []);
});

test('policy check warns about an A2A client link without approval when an allow rule passes a2a', () => {
  const p = linked(
    `  - { from: 'a2a:partner', to: support-bot, approveQuestion: false, approveAnswer: false, onInstructions: allow }
  - { from: web-bot, to: support-bot, approveQuestion: false, approveAnswer: false, onInstructions: allow }`,
    '    origins: [person, a2a]\n',
  );
  // Only the A2A client's link: the rule passes nothing another agent started.
  assert.equal(p.warnings.length, 1);
  const w = theProblem(p.warnings, /a2a:partner/);
  assert.match(w.message, /rule "small" allows support-bot's requests an A2A client started/);
});

test('policy check warns when unapproved answers reach an action agent whose allow rules pass them', () => {
  const p = policyOf(
    base
      .replace(
        '    credentials: [refunds-key]\n',
        '    credentials: [refunds-key]\n    mayAsk: [web-bot]\n',
      )
      .replace(
        '  - id: other-bot\n',
        '  - id: web-bot\n    sensitivity: research\n  - id: other-bot\n',
      ),
    `
rules:
  - { id: small, agent: support-bot, capability: refunds-api, origins: [person, agent], decision: allow }
links:
  - { from: support-bot, to: web-bot, approveQuestion: false, approveAnswer: false, onInstructions: allow }
`,
  );
  const w = theProblem(p.warnings, /web-bot/);
  assert.match(w.message, /answers from web-bot reach support-bot with nobody approving/);
});
