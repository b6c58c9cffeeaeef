// A card names the workflow run it was posted for (issue 19): its buttons carry the run id, the
// click's decision copies it (so the webhook's signature covers it), and a malformed one is refused
// like any tampered button value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardToAdaptiveCard } from '@chat-adapter/teams';
import { buildApprovalCard } from '../../../src/chat/cards.ts';
import { encodeButtonValue, parseButtonValue } from '../../../src/chat/card-buttons.ts';
import { cardModel, slackApproveClick } from './helpers.ts';

test("the buttons carry the card's run, and the click's decision copies it", () => {
  const runId = '01a24fbd-5ffa-7015-83e3-888faca99808';
  const json = JSON.stringify(cardToAdaptiveCard(buildApprovalCard(cardModel({ runId }))));
  const value = { workflowId: 'action:req-1', requestHash: 'h-3f2a9c', runId };
  assert.ok(json.includes(JSON.stringify(encodeButtonValue(value))), 'the button names the run');
  assert.deepEqual(parseButtonValue(encodeButtonValue(value)), value);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, runId: 7 })), null);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, runId: 'r'.repeat(65) })), null);
  assert.equal(parseButtonValue(JSON.stringify({ ...value, runId: 'a\nb' })), null);
  const clicked = slackApproveClick(value);
  assert.ok(clicked.ok);
  assert.equal(clicked.decision.runId, runId);
});
