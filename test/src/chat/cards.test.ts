// The approval card model → Chat SDK card: buttons only while pending, outcome line when final,
// every field capped (the button value's parser: card-buttons.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardToAdaptiveCard } from '@chat-adapter/teams';
import { buildApprovalCard, limits, truncate } from '../../../src/chat/cards.ts';
import { encodeButtonValue, parseButtonValue } from '../../../src/chat/card-buttons.ts';
import { cardModel as requestCardModel } from '../../../src/chat/card-model.ts';
import { describeDeadline } from '../../../src/chat/card-text.ts';
import { slackApprovalBlocks, teamsApprovalCard } from '../../../src/chat/platform-cards.ts';
import type { ActionRequest } from '../../../workflows/sensitive-action/request.ts';
import { cardModel, largeRefundDecision, slackApproveClick } from './helpers.ts';

test('a pending card has Approve and Reject carrying the workflow id and request hash', () => {
  const json = JSON.stringify(cardToAdaptiveCard(buildApprovalCard(cardModel())));
  assert.match(json, /"actionId":"approval:approve"/);
  assert.match(json, /"actionId":"approval:reject"/);
  assert.ok(
    json.includes(
      JSON.stringify(encodeButtonValue({ workflowId: 'action:req-1', requestHash: 'h-3f2a9c' })),
    ),
  );
});

test('final cards have no buttons and show the outcome', () => {
  for (const state of ['approved', 'rejected', 'expired', 'failed', 'escalated'] as const) {
    const card = cardToAdaptiveCard(
      buildApprovalCard(cardModel({ state, outcomeText: `${state} by Alice at 14:02` })),
    );
    const json = JSON.stringify(card);
    assert.doesNotMatch(json, /approval:approve/, state);
    assert.match(json, new RegExp(`${state} by Alice at 14:02`));
  }
});

test('long fields, many key fields and a huge body preview are capped with a note', () => {
  const model = cardModel({
    agent: 'a'.repeat(5000),
    keyFields: Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, 'v'.repeat(1000)]),
    bodyPreview: 'b'.repeat(100_000),
  });
  const json = JSON.stringify(cardToAdaptiveCard(buildApprovalCard(model)));
  assert.ok(json.length < 12_000, `card is ${json.length} chars`);
  assert.match(json, /Some text was shortened for this card/);
  assert.match(json, /12 more fields not shown/);
  assert.match(json, /The whole request: airlock approvals show action:req-1/);
  assert.equal(truncate('x'.repeat(500), limits.field).length, limits.field);
  assert.equal(truncate('short', 10), 'short');
});

test('agent-controlled text cannot ping, link or format on a Slack or Teams card', () => {
  const hostile = cardModel({
    agent: 'support <!channel>',
    keyFields: [
      ['note', '<https://evil.example|verified by Security> *urgent*'],
      ['link', '[click here](https://evil.example) **bold** `code`'],
    ],
  });
  const slack = JSON.stringify(slackApprovalBlocks(hostile));
  assert.ok(!slack.includes('<!channel>'), 'no channel ping on Slack');
  assert.ok(!slack.includes('<https://evil.example|'), 'no disguised link on Slack');
  assert.ok(slack.includes('&lt;!channel&gt;'), 'the text is kept, as typed');
  assert.ok(slack.includes('&lt;https://evil.example|verified by Security&gt;'));
  const teams = JSON.stringify(teamsApprovalCard(hostile));
  assert.ok(!teams.includes('[click here](https'), 'no markdown link on Teams');
  assert.ok(teams.includes('\\\\[click here\\\\]\\\\(https://evil.example\\\\)'));
  assert.ok(teams.includes('\\\\*\\\\*bold\\\\*\\\\*'));
});

test('the deadline reads as a sentence: how long from now, then the day and time', () => {
  const now = new Date('2026-11-27T13:36:00Z');
  assert.equal(describeDeadline('2026-11-30T13:36:00Z', now), 'in 3 days, Mon 30 Nov 13:36 UTC');
  assert.equal(describeDeadline('2026-11-27T17:36:00Z', now), 'in 4 hours, Fri 27 Nov 17:36 UTC');
  assert.equal(
    describeDeadline('2026-11-27T13:06:00Z', now),
    '30 minutes ago, Fri 27 Nov 13:06 UTC',
  );
  const json = JSON.stringify(
    cardToAdaptiveCard(buildApprovalCard(cardModel({ deadline: '2026-11-30T13:36:00Z' }), { now })),
  );
  assert.match(json, /"title":"Deadline","value":"in 3 days, Mon 30 Nov 13:36 UTC"/);
});

test('the rule shows whole: its id as a fact, its reason on a line of its own', () => {
  const reason = 'r'.repeat(limits.field + 1); // one character over a field: nothing is cut
  const json = JSON.stringify(
    cardToAdaptiveCard(buildApprovalCard(cardModel({ rule: 'refunds-large', ruleReason: reason }))),
  );
  assert.match(json, /"title":"Rule","value":"refunds-large"/);
  assert.ok(json.includes(`Why: ${reason}"`));
  assert.doesNotMatch(json, /shortened/);
});

const request = (body: unknown): ActionRequest => ({
  agent: 'support-bot',
  capability: 'refunds',
  method: 'POST',
  path: '/refunds',
  body,
});
const decision = largeRefundDecision;
const view = { state: 'pending' } as const;

test('the body shows once: a flat body as facts, a nested one as a preview', () => {
  const flat = requestCardModel(
    'action:r1',
    request({ order: '8812', amount: 120 }),
    decision,
    '',
    view,
  );
  assert.deepEqual(flat.keyFields, [
    ['order', '8812'],
    ['amount', '120'],
  ]);
  assert.equal(flat.bodyPreview, undefined);
  const nested = requestCardModel(
    'action:r2',
    request({ order: { id: '8812' }, amount: 120 }),
    decision,
    '',
    view,
  );
  assert.deepEqual(nested.keyFields, []);
  assert.match(nested.bodyPreview ?? '', /"id": "8812"/);
});

test('masked fields and a cut body are flagged on the card, with where to see everything', () => {
  const model = requestCardModel(
    'action:r3',
    request({ order: '8812', apiToken: 'tok-123', card: { cvv: '999' }, notes: 'n'.repeat(5000) }),
    decision,
    '',
    view,
  );
  assert.deepEqual(model.masked, ['apiToken', 'card.cvv']);
  assert.equal(model.bodyCut, true);
  const json = JSON.stringify(cardToAdaptiveCard(buildApprovalCard(model)));
  assert.ok(!json.includes('tok-123') && !json.includes('999'), 'secrets are not on the card');
  assert.match(json, /Masked on this card: apiToken, card\.cvv\./);
  assert.match(
    json,
    /Some text was shortened for this card\. The whole request: airlock approvals show action:r3/,
  );
});

test("the buttons carry the card's policy hash, and the click's decision copies it", () => {
  const policyHash = 'a'.repeat(64);
  const json = JSON.stringify(cardToAdaptiveCard(buildApprovalCard(cardModel({ policyHash }))));
  const value = { workflowId: 'action:req-1', requestHash: 'h-3f2a9c', policyHash };
  assert.ok(json.includes(JSON.stringify(encodeButtonValue(value))));
  assert.deepEqual(parseButtonValue(encodeButtonValue(value)), value);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, policyHash: 7 })), null);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, policyHash: 'p'.repeat(65) })), null);
  const clicked = slackApproveClick(value);
  assert.ok(clicked.ok);
  assert.equal(clicked.decision.policyHash, policyHash);
});
