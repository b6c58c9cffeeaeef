// What is unusual about a request, on its approval card: one line each right under the request's
// fields, on Teams and Slack, escaped like every agent-controlled string (a recipient typed as a
// Slack ping or a Teams link stays inert); no line at all when nothing is unusual.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardModel } from '../../../src/chat/card-model.ts';
import { slackApprovalBlocks, teamsApprovalCard } from '../../../src/chat/platform-cards.ts';
import type { ActionRequest } from '../../../workflows/sensitive-action/request.ts';
import type { UnusualFinding } from '../../../workflows/sensitive-action/types.ts';
import { largeRefundDecision } from './helpers.ts';

const decision = largeRefundDecision;
const request: ActionRequest = {
  agent: 'support-bot',
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order: 'A-1', amount: 4800, currency: 'EUR', recipient: '<!channel> [x](https://e.vil)' },
};
const findings: UnusualFinding[] = [
  {
    kind: 'ratio',
    field: 'amount',
    value: 4800,
    baseline: 400,
    text: "amount 4,800 EUR — 12× this agent's median (400 EUR)",
  },
  {
    kind: 'new-value',
    field: 'recipient',
    value: '<!channel> [x](https://e.vil)',
    baseline: 2,
    text: 'recipient “<!channel> [x](https://e.vil)” — first time for this agent (2 other values in 9 requests)',
  },
];
const texts = (json: unknown): string[] =>
  JSON.stringify(json)
    .match(/"text":"(?:[^"\\]|\\.)*"/g)!
    .map((m) => JSON.parse(m.slice(7)) as string);

test('each finding is a line under the request fields on Teams, escaped for its markdown', () => {
  const model = cardModel('action:u1', request, decision, '', { state: 'pending' }, findings);
  const lines = texts(teamsApprovalCard(model));
  const ratio = lines.findIndex((t) => t.startsWith('⚠ Unusual: amount 4,800 EUR'));
  const recipient = lines.findIndex((t) => t.startsWith('⚠ Unusual: recipient'));
  assert.ok(ratio > 0 && recipient === ratio + 1, lines.join('\n'));
  assert.equal(lines[ratio], "⚠ Unusual: amount 4,800 EUR — 12× this agent's median \\(400 EUR\\)");
  assert.ok(lines[recipient]?.includes('\\<!channel\\> \\[x\\]\\(https://e.vil\\)'));
  // The request's own fields come first: the finding sits next to them.
  const facts = JSON.stringify(teamsApprovalCard(model));
  assert.ok(facts.indexOf('"title":"amount"') < facts.indexOf('⚠ Unusual'));
});

test('on Slack a hostile value cannot ping or link', () => {
  const model = cardModel('action:u2', request, decision, '', { state: 'pending' }, findings);
  const lines = texts(slackApprovalBlocks(model).blocks).filter((t) => t.includes('Unusual'));
  assert.equal(lines.length, 2);
  assert.ok(lines[1]?.includes('&lt;!channel&gt;'), lines[1]);
  assert.ok(!lines.some((t) => t.includes('<!channel>')));
});

test('nothing unusual: no line at all, pending or final', () => {
  for (const view of [{ state: 'pending' }, { state: 'approved', outcomeText: 'ok' }] as const) {
    const model = cardModel('action:u3', request, decision, '', view, []);
    assert.equal(model.unusual, undefined);
    assert.ok(!JSON.stringify(teamsApprovalCard(model)).includes('Unusual'));
    assert.ok(!JSON.stringify(slackApprovalBlocks(model)).includes('Unusual'));
  }
});
