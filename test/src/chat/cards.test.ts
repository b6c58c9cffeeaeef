// The approval card model → Chat SDK card: buttons only while pending, outcome line when final,
// every field capped; and the button value parser accepts only what the card put there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardToAdaptiveCard } from '@chat-adapter/teams';
import {
  buildApprovalCard,
  encodeButtonValue,
  limits,
  parseButtonValue,
  truncate,
} from '../../../src/chat/cards.ts';
import { decisionFromClick } from '../../../src/chat/clicks.ts';
import { cardModel } from './helpers.ts';

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
  assert.match(json, /truncated/);
  assert.match(json, /12 more fields not shown/);
  assert.equal(truncate('x'.repeat(500), limits.field).length, limits.field);
  assert.equal(truncate('short', 10), 'short');
});

test('parseButtonValue round-trips and rejects anything else', () => {
  const value = { workflowId: 'action:req-1', requestHash: 'h1' };
  assert.deepEqual(parseButtonValue(encodeButtonValue(value)), value);
  for (const bad of [
    undefined,
    42,
    'nope',
    '[]',
    'null',
    '{"workflowId":"a"}',
    '{"workflowId":"a","requestHash":7}',
    JSON.stringify({ workflowId: 'w'.repeat(limits.workflowId + 1), requestHash: 'h' }),
  ]) {
    assert.equal(parseButtonValue(bad), null, String(bad));
  }
});

test("the buttons carry the card's policy hash, and the click's decision copies it", () => {
  const policyHash = 'a'.repeat(64);
  const json = JSON.stringify(cardToAdaptiveCard(buildApprovalCard(cardModel({ policyHash }))));
  const value = { workflowId: 'action:req-1', requestHash: 'h-3f2a9c', policyHash };
  assert.ok(json.includes(JSON.stringify(encodeButtonValue(value))));
  assert.deepEqual(parseButtonValue(encodeButtonValue(value)), value);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, policyHash: 7 })), null);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, policyHash: 'p'.repeat(65) })), null);
  const clicked = decisionFromClick({
    actionId: 'approval:approve',
    value: encodeButtonValue(value),
    platform: 'slack',
    raw: { user: { id: 'U1', name: 'alice', team_id: 'T1' }, trigger_id: 'tr-1' },
  });
  assert.ok(clicked.ok);
  assert.equal(clicked.decision.policyHash, policyHash);
});
