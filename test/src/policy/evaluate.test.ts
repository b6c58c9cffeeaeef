import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentFor, evaluate, linkFor } from '../../../src/policy/evaluate.ts';
import { base, policyOf, refund, baseUsers } from './helpers.ts';

const now = new Date('2025-06-04T10:00:00Z'); // a Wednesday

const tiers = policyOf(
  base,
  `
rules:
  - id: blocked-customer
    capability: refunds-api
    when: [{ field: customer.id, equals: c-666 }]
    decision: deny
  - id: small
    agent: support-bot
    capability: refunds-api
    method: POST
    path: /refunds
    when: [{ field: amount, lte: 50 }]
    decision: allow
  - id: large
    agent: [support-bot, other-bot]
    capability: refunds-api
    method: [POST]
    path: [/refunds, /refunds/*/retry]
    when: [{ field: amount, gt: 50 }]
    decision: approve
    approval:
      approvers: { users: [alice, bob], groups: [leads] }
      quorum: 2
      rejectionsToDeny: 2
      remindEvery: 30m
      escalation:
        - { after: 1h, approvers: { users: [carol] } }
        - { after: 2h, approvers: { users: [alice] } }
      expiry: { after: 4h }
      grants: [once, session, duration]
      grantMaxDuration: 8h
      grantKeyFields: [customer.id, currency]
      cards:
        teams:
          channel: { conversationId: '19:abc@thread.tacv2', serviceUrl: 'https://smba.example/', tenantId: t1 }
          directMessages: true
        slack: { channel: C0APPROVALS }
`,
);

test('rules are first match in order: an earlier deny wins over a later allow', () => {
  const d = evaluate(tiers, refund({ amount: 10, customer: { id: 'c-666' } }), now);
  assert.equal(d.decision, 'deny');
  assert.equal(d.rule, 'blocked-customer');
  assert.match(d.reason, /rule "blocked-customer" denies support-bot POST \/refunds/);
});

test('an allow rule returns allow, its id, the policy hash and the capability', () => {
  const d = evaluate(tiers, refund({ amount: 50 }), now);
  assert.equal(d.decision, 'allow');
  assert.equal(d.rule, 'small');
  assert.equal(d.policyHash, tiers.hash);
  assert.match(d.policyHash, /^[0-9a-f]{64}$/);
  assert.deepEqual(d.capability, {
    id: 'refunds-api',
    baseUrl: 'http://127.0.0.1:4010',
    methods: ['POST', 'GET'],
    paths: ['/refunds', '/refunds/**'],
    credential: 'refunds-key',
  });
  assert.deepEqual(d.approvers, []);
});

test('an approve rule carries every approval setting, durations in milliseconds', () => {
  const d = evaluate(tiers, refund({ amount: 51 }), now);
  assert.equal(d.decision, 'approve');
  assert.equal(d.rule, 'large');
  // users first, then group members, each approver once (bob is in both).
  assert.deepEqual(
    d.approvers.map((a) => a.id),
    ['alice', 'bob', 'carol'],
  );
  assert.deepEqual(d.approvers[2], baseUsers.carol);
  assert.equal(d.quorum, 2);
  assert.equal(d.allowSelfApproval, false);
  assert.equal(d.rejectionsToDeny, 2);
  assert.equal(d.reminderEveryMs, 30 * 60_000);
  assert.deepEqual(
    d.escalation.map((e) => [e.afterMs, e.approvers.map((a) => a.id)]),
    [
      [3_600_000, ['carol']],
      [7_200_000, ['alice']],
    ],
  );
  assert.deepEqual(d.expiry, { afterMs: 4 * 3_600_000, outcome: 'deny' });
  assert.deepEqual(d.grants, [
    { kind: 'once' },
    { kind: 'session' },
    { kind: 'duration', maxMs: 8 * 3_600_000 },
  ]);
  assert.deepEqual(d.grantKeyFields, ['customer.id', 'currency']);
  assert.deepEqual(d.cards, {
    teams: {
      channel: {
        conversationId: '19:abc@thread.tacv2',
        serviceUrl: 'https://smba.example/',
        tenantId: 't1',
      },
      directMessages: true,
    },
    slack: { channel: 'C0APPROVALS', directMessages: false },
  });
  assert.match(d.reason, /requires approval .*2 of 3 approver\(s\) \(Alice, Bob, Carol\)/);
});

test('approval defaults: quorum 1, no self-approval, one rejection denies, once, 3-day expiry, Teams DMs', () => {
  const p = policyOf(
    base,
    `
rules:
  - id: r
    decision: approve
    approval: { approvers: { users: [alice] } }
`,
  );
  const d = evaluate(p, refund({}), now);
  assert.equal(d.quorum, 1);
  assert.equal(d.allowSelfApproval, false);
  assert.equal(d.rejectionsToDeny, 1);
  assert.equal(d.reminderEveryMs, null);
  assert.deepEqual(d.escalation, []);
  assert.deepEqual(d.expiry, { afterMs: 3 * 86_400_000, outcome: 'deny' });
  assert.deepEqual(d.grants, [{ kind: 'once' }]);
  assert.deepEqual(d.grantKeyFields, []);
  assert.deepEqual(d.cards, { teams: { directMessages: true }, slack: null });
});

test('settings supply reminder, expiry and card defaults; a rule overrides them', () => {
  const p = policyOf(
    base,
    `
settings:
  approval: { remindEvery: 2h, expiry: { after: 1d } }
  cards: { slack: { directMessages: true } }
rules:
  - id: uses-defaults
    path: /refunds
    decision: approve
    approval: { approvers: { users: [dan] }, allowSelfApproval: true }
  - id: overrides
    decision: approve
    approval:
      approvers: { users: [alice] }
      remindEvery: 10m
      expiry: { after: 90m }
      cards: { teams: { directMessages: true } }
`,
  );
  const a = evaluate(p, refund({}), now);
  assert.equal(a.rule, 'uses-defaults');
  assert.equal(a.allowSelfApproval, true);
  assert.equal(a.reminderEveryMs, 2 * 3_600_000);
  assert.equal(a.expiry.afterMs, 86_400_000);
  assert.deepEqual(a.cards, { teams: null, slack: { directMessages: true } });
  const b = evaluate(p, refund({}, { path: '/refunds/r-1' }), now);
  assert.equal(b.rule, 'overrides');
  assert.equal(b.reminderEveryMs, 600_000);
  assert.equal(b.expiry.afterMs, 90 * 60_000);
  assert.deepEqual(b.cards, { teams: { directMessages: true }, slack: null });
});

test('nothing matching is a deny with no rule', () => {
  const d = evaluate(tiers, refund({ amount: 'lots' }), now);
  assert.equal(d.decision, 'deny');
  assert.equal(d.rule, null);
  assert.match(d.reason, /no rule matches/);
  assert.equal(d.policyHash, tiers.hash);
});

test('rules match on agent, method and path pattern', () => {
  assert.equal(evaluate(tiers, refund({ amount: 60 }, { agent: 'other-bot' }), now).rule, 'large');
  // other-bot is not in "small", so 10 falls through to "large" (gt 50 fails) and then nothing.
  assert.equal(evaluate(tiers, refund({ amount: 10 }, { agent: 'other-bot' }), now).rule, null);
  assert.equal(
    evaluate(tiers, refund({ amount: 60 }, { path: '/refunds/r-1/retry' }), now).rule,
    'large',
  );
  assert.equal(evaluate(tiers, refund({ amount: 60 }, { path: '/refunds/r-1' }), now).rule, null);
  assert.equal(evaluate(tiers, refund({ amount: 60 }, { method: 'GET' }), now).rule, null);
  assert.equal(evaluate(tiers, refund({ amount: 10 }, { method: 'post' }), now).rule, 'small');
});

test('the agent, capability, method and path must be known and allowed before any rule', () => {
  const p = policyOf(
    base,
    `
agents:
  - { id: lonely-bot, sensitivity: research }
rules:
  - { id: everything, decision: allow }
`,
  );
  const reason = (req: Parameters<typeof evaluate>[1]) => {
    const d = evaluate(p, req, now);
    assert.equal(d.decision, 'deny');
    assert.equal(d.rule, null);
    return d.reason;
  };
  assert.match(reason(refund({}, { agent: 'ghost' })), /unknown agent "ghost"/);
  assert.match(reason(refund({}, { capability: 'ghost-api' })), /unknown capability "ghost-api"/);
  assert.match(reason(refund({}, { agent: 'lonely-bot' })), /may not use capability "refunds-api"/);
  assert.match(reason(refund({}, { method: 'DELETE' })), /does not allow method DELETE/);
  assert.match(reason(refund({}, { path: '/admin' })), /does not allow path \/admin/);
  assert.equal(evaluate(p, refund({}, { capability: 'ghost-api' }), now).capability, null);
  assert.equal(evaluate(p, refund({}), now).decision, 'allow');
});

test('paths that could escape a pattern are denied, not matched', () => {
  const p = policyOf(base, `rules: [{ id: everything, decision: allow }]`);
  for (const path of [
    '/refunds/../admin',
    '/refunds/./x',
    '/refunds/%2e%2e/admin',
    '/refunds/%2F/x',
    '/refunds//x',
    '/refunds?all=1',
    '/refunds#x',
    'refunds',
    '/refunds/a b',
    '/refunds/a\\b',
    '/refunds/\u0000',
    // Tomcat and others read `..;/` as `../`, and decode `%25` into a second round of escapes.
    '/refunds/..;/admin',
    '/refunds/x;jsessionid=1',
    '/refunds/%252e%252e/admin',
    '/refunds/%25',
  ]) {
    const d = evaluate(p, refund({}, { path }), now);
    assert.equal(d.decision, 'deny', path);
    assert.match(d.reason, /path /, path);
  }
  assert.equal(evaluate(p, refund({}, { path: '/refunds/r-1/' }), now).decision, 'allow');
});

test('evaluation does not share state between decisions', () => {
  const first = evaluate(tiers, refund({ amount: 60 }), now);
  first.approvers.pop();
  first.grants.length = 0;
  first.cards.teams = null;
  const second = evaluate(tiers, refund({ amount: 60 }), now);
  assert.equal(second.approvers.length, 3);
  assert.equal(second.grants.length, 3);
  assert.notEqual(second.cards.teams, null);
});

test('linkFor returns the link settings only when the agent may ask and a link exists', () => {
  const p = policyOf(
    base,
    `
agents:
  - { id: research-bot, sensitivity: research, mayAsk: [support-bot] }
  - { id: quiet-bot, sensitivity: research }
links:
  - from: research-bot
    to: support-bot
    approveQuestion: false
    approval: { approvers: { users: [alice], groups: [leads] }, quorum: 2, remindEvery: 1h }
    sanitizer: strict
    maxAnswerLength: 500
`,
  );
  assert.deepEqual(linkFor(p, 'research-bot', 'support-bot'), {
    from: 'research-bot',
    to: 'support-bot',
    approveQuestion: false,
    approveAnswer: true,
    onInstructions: 'hold',
    approvers: [baseUsers.alice, baseUsers.bob, baseUsers.carol],
    quorum: 2,
    allowSelfApproval: false,
    reminderEveryMs: 3_600_000,
    expiry: { afterMs: 3 * 86_400_000, outcome: 'deny' },
    cards: { teams: { directMessages: true }, slack: null },
    sanitizer: 'strict',
    maxAnswerLength: 500,
    question: { level: 'strict', maxLength: 2000 },
    answer: { level: 'strict', maxLength: 500 },
    timeLimitMs: 3 * 86_400_000,
    policyHash: p.hash,
  });
  assert.equal(linkFor(p, 'support-bot', 'research-bot'), null);
  assert.equal(linkFor(p, 'quiet-bot', 'support-bot'), null);
  assert.equal(linkFor(p, 'ghost', 'support-bot'), null);
});

test('agentFor returns the agent with its sandbox settings, or null', () => {
  const p = policyOf(
    base.replace(
      '  - id: other-bot',
      '    sandbox: { memoryMb: 512, pids: 64, cpus: 1.5, idleTimeout: 1h }\n  - id: other-bot',
    ),
    'rules: []',
  );
  const agent = agentFor(p, 'support-bot');
  assert.deepEqual(agent?.sandbox, { memoryMb: 512, pids: 64, cpus: 1.5, idleTimeout: 3_600_000 });
  assert.deepEqual(agentFor(p, 'other-bot')?.sandbox, {
    memoryMb: 512,
    cpus: 1,
    pids: 256,
    idleTimeout: 900_000,
  });
  assert.deepEqual(agent?.capabilities, ['refunds-api']);
  assert.equal(agent?.sensitivity, 'action');
  assert.equal(agentFor(p, 'nobody'), null);
});
