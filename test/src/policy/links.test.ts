// Links: the per-direction settings and the time limit (defaults, refusal of bad values), the
// pinned link an exchange keeps, and the decision for an exchange's approval steps, which comes
// from the link alone (never the rules), offers once and session grants, and executes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestHash } from '../../../src/actions/request-hash.ts';
import { grantIds } from '../../../src/grants/grants.ts';
import { evaluate } from '../../../src/policy/evaluate.ts';
import { resolveLink } from '../../../src/policy/links.ts';
import type { ActionRequest, LoadedPolicy } from '../../../src/policy/types.ts';
import { base, problemsOf, researchAsksWriter, theProblem } from './helpers.ts';

const now = new Date('2025-06-04T10:00:00Z');

const agents = (link: string) => researchAsksWriter(`${link}\n`);

const linkText = (extra: string) => `
  - from: research-bot
    to: writer-bot
    approval: { approvers: { groups: [leads] } }
${extra}`;

test('a link without direction settings: strict or not as the link says, 2000 / maxAnswerLength, 3 days', () => {
  const p = agents(linkText('    sanitizer: lenient\n    maxAnswerLength: 700'));
  assert.deepEqual(resolveLink(p, 'research-bot', 'writer-bot'), {
    from: 'research-bot',
    to: 'writer-bot',
    approveQuestion: true,
    approveAnswer: true,
    question: { level: 'lenient', maxLength: 2000 },
    answer: { level: 'lenient', maxLength: 700 },
    timeLimitMs: 3 * 86_400_000,
    policyHash: p.hash,
  });
  const q = agents(linkText(''));
  assert.deepEqual(resolveLink(q, 'research-bot', 'writer-bot')?.answer, {
    level: 'standard',
    maxLength: 4000,
  });
});

test('question and answer override the sanitizer and length per direction; timeLimit is a duration', () => {
  const p = agents(
    linkText(`    sanitizer: standard
    maxAnswerLength: 700
    question: { sanitizer: strict, maxLength: 300 }
    answer: { maxLength: 5000 }
    timeLimit: 2h`),
  );
  const link = resolveLink(p, 'research-bot', 'writer-bot');
  assert.deepEqual(link?.question, { level: 'strict', maxLength: 300 });
  assert.deepEqual(link?.answer, { level: 'standard', maxLength: 5000 });
  assert.equal(link?.timeLimitMs, 2 * 3_600_000);
});

test('bad direction settings and time limits are refused with their path', () => {
  const refused = (extra: string, pattern: RegExp, path: string) => {
    const problem = theProblem(
      problemsOf(
        base,
        `agents:\n  - { id: research-bot, sensitivity: research, mayAsk: [writer-bot] }\n  - { id: writer-bot, sensitivity: research }\nlinks:\n${linkText(extra)}`,
      ),
      pattern,
    );
    assert.equal(problem.path, path);
  };
  refused(
    '    question: { sanitizer: paranoid }',
    /lenient|standard|strict/,
    '$.links[0].question.sanitizer',
  );
  refused('    answer: { maxLength: 0 }', />=1|too small|at least/i, '$.links[0].answer.maxLength');
  refused(
    '    answer: { maxLength: 100001 }',
    /<=100000|too big|at most/i,
    '$.links[0].answer.maxLength',
  );
  refused('    question: { maxLen: 10 }', /maxLen/, '$.links[0].question.maxLen');
  refused('    timeLimit: 3 days', /duration/, '$.links[0].timeLimit');
  refused('    timeLimit: 400d', /at most 365d/, '$.links[0].timeLimit');
});

test('no link, or no mayAsk, resolves to null', () => {
  const p = agents(linkText(''));
  assert.equal(resolveLink(p, 'writer-bot', 'research-bot'), null);
  assert.equal(resolveLink(p, 'ghost', 'writer-bot'), null);
});

const step = (
  stepName: 'question' | 'answer',
  extra: Partial<ActionRequest> = {},
): ActionRequest => ({
  agent: stepName === 'question' ? 'research-bot' : 'writer-bot',
  capability: 'agent-exchange',
  method: stepName === 'question' ? 'ASK' : 'ANSWER',
  path: stepName === 'question' ? '/agents/writer-bot' : '/agents/research-bot',
  sessionId: 'research-bot:teams-a1',
  exchange: {
    workflowId: 'exchange:x1',
    from: 'research-bot',
    to: 'writer-bot',
    step: stepName,
    text: 'What does the damage policy say?',
    removed: [],
    truncated: false,
  },
  ...extra,
});

// A rule that would allow anything of the exchange capability: exchange steps must ignore it.
const withRule = (link: string): LoadedPolicy =>
  researchAsksWriter(`${link}\nrules:\n  - { id: anything, decision: allow }\n`);

test('an exchange step needing approval is approved by the link: approvers, defaults, once and session grants', () => {
  const p = withRule(
    linkText('    approveQuestion: false').replace(
      'approval: { approvers: { groups: [leads] } }',
      'approval: { approvers: { users: [alice], groups: [leads] }, quorum: 2, remindEvery: 1h, expiry: { after: 1d } }',
    ),
  );
  const d = evaluate(p, step('answer'), now);
  assert.equal(d.decision, 'approve');
  assert.equal(d.rule, 'link:research-bot->writer-bot');
  assert.match(
    d.reason,
    /the answer from writer-bot to research-bot: 2 of 3 approver\(s\) \(Alice, Bob, Carol\)/,
  );
  assert.deepEqual(
    d.approvers.map((a) => a.id),
    ['alice', 'bob', 'carol'],
  );
  assert.equal(d.quorum, 2);
  assert.equal(d.allowSelfApproval, false);
  assert.equal(d.rejectionsToDeny, 1);
  assert.equal(d.reminderEveryMs, 3_600_000);
  assert.deepEqual(d.expiry, { afterMs: 86_400_000, outcome: 'deny' });
  assert.deepEqual(d.escalation, []);
  assert.deepEqual(d.grants, [{ kind: 'once' }, { kind: 'session' }]);
  assert.deepEqual(d.grantKeyFields, []);
  assert.deepEqual(d.cards, { teams: { directMessages: true }, slack: null });
  assert.equal(d.capability, null);
  assert.equal(d.policyHash, p.hash);

  // The step the link does not gate is allowed, not matched against the rules.
  const q = evaluate(p, step('question'), now);
  assert.equal(q.decision, 'allow');
  assert.equal(q.rule, 'link:research-bot->writer-bot');
  assert.match(q.reason, /lets the question from research-bot to writer-bot through/);
});

test('an exchange step without a link is denied, whatever the rules say', () => {
  const p = withRule(linkText(''));
  const d = evaluate(
    p,
    step('question', {
      agent: 'writer-bot',
      path: '/agents/research-bot',
      exchange: { ...step('question').exchange!, from: 'writer-bot', to: 'research-bot' },
    }),
    now,
  );
  assert.equal(d.decision, 'deny');
  assert.match(d.reason, /no link writer-bot -> research-bot/);
  assert.equal(d.capability, null);
});

test('an exchange step whose agent, capability or method does not fit its step is denied', () => {
  const p = withRule(linkText(''));
  for (const [extra, why] of [
    [{ agent: 'writer-bot' }, /question step's agent must be "research-bot"/],
    [{ capability: 'refunds-api' }, /capability must be "agent-exchange"/],
    [{ method: 'ANSWER' }, /question step's method is ASK/],
  ] as const) {
    const d = evaluate(p, step('question', extra), now);
    assert.equal(d.decision, 'deny', JSON.stringify(extra));
    assert.match(d.reason, why);
  }
});

test('the answer step grant key is the same for every exchange of the session; the hash binds the text', () => {
  const p = withRule(linkText(''));
  const one = step('answer');
  const two = step('answer', {
    exchange: { ...one.exchange!, workflowId: 'exchange:x2', text: 'Another answer.' },
  });
  const d = evaluate(p, one, now);
  assert.deepEqual(
    grantIds(one, d.rule!, d.grantKeyFields),
    grantIds(two, d.rule!, d.grantKeyFields),
  );
  assert.notEqual(
    grantIds(one, d.rule!, []).session,
    grantIds(step('question'), d.rule!, []).session,
  );
  assert.notEqual(requestHash(one), requestHash(two));
  const { exchange: _, ...plain } = one;
  assert.notEqual(requestHash(one), requestHash(plain));
});

test('an external A2A client asks through its link alone: a2a:<client> needs no agent or mayAsk', () => {
  const p = agents(
    `${linkText('')}
  - from: a2a:partner
    to: writer-bot
    approval: { approvers: { groups: [leads] } }`,
  );
  const link = resolveLink(p, 'a2a:partner', 'writer-bot');
  assert.equal(link?.from, 'a2a:partner');
  assert.equal(link?.approveQuestion, true);
  assert.equal(resolveLink(p, 'a2a:stranger', 'writer-bot'), null);
  assert.equal(resolveLink(p, 'a2a:partner', 'research-bot'), null);
  const decision = evaluate(
    p,
    step('question', {
      agent: 'a2a:partner',
      exchange: { ...step('question').exchange!, from: 'a2a:partner' },
    }),
    now,
  );
  assert.equal(decision.decision, 'approve');
  assert.equal(decision.rule, 'link:a2a:partner->writer-bot');

  const bad = (from: string, pattern: RegExp) =>
    assert.equal(
      theProblem(
        problemsOf(
          base,
          `agents:\n  - { id: writer-bot, sensitivity: research }\nlinks:\n  - { from: "${from}", to: writer-bot, approveQuestion: false, approveAnswer: false }`,
        ),
        pattern,
      ).path,
      '$.links[0].from',
    );
  bad('a2b:partner', /a2a:<client id>/);
  bad('a2a:', /a2a:<client id>/);
  bad('ghost-bot', /ghost-bot/);
});
