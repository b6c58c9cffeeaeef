// The reason box: where it sits on each platform's card, how a click's typed reason is read from
// Teams (Action.Submit and invoke) and Slack (state.values), and how it is capped and cleaned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionFromClick } from '../../../src/webhook/sdk-clicks.ts';
import { encodeButtonValue, rejectActionId } from '../../../src/chat/card-buttons.ts';
import {
  reasonInputId,
  slackApprovalBlocks,
  slackReasonBlockId,
  teamsApprovalCard,
} from '../../../src/chat/platform-cards.ts';
import { capReason, reasonMaxLength } from '../../../workflows/sensitive-action/messages.ts';
import { cardModel } from './helpers.ts';

type Json = Record<string, unknown>;
const value = encodeButtonValue({ workflowId: 'action:r-1', requestHash: 'h-1' });

test('a pending Teams card has a required reason box that only Reject sends', () => {
  const card = teamsApprovalCard(
    cardModel({ grants: [{ kind: 'session', label: 'For session' }] }),
  );
  const box = (card['body'] as Json[]).find((e) => e['type'] === 'Input.Text');
  assert.equal(box?.['id'], reasonInputId);
  assert.equal(box?.['isRequired'], true);
  assert.equal(box?.['maxLength'], reasonMaxLength);
  const actions = card['actions'] as { title: string; associatedInputs: string }[];
  assert.deepEqual(
    actions.map((a) => [a.title, a.associatedInputs]),
    [
      ['Approve', 'none'],
      ['For session', 'none'],
      ['Reject', 'auto'],
    ],
  );
  const final = teamsApprovalCard(cardModel({ state: 'rejected', outcomeText: 'Rejected: no' }));
  assert.doesNotMatch(JSON.stringify(final), /Input\.Text|"actions"/);
});

test('a pending Slack card has an optional reason input just above the buttons', () => {
  const { blocks, text } = slackApprovalBlocks(cardModel());
  const at = blocks.findIndex((b) => b['block_id'] === slackReasonBlockId);
  assert.ok(at > 0);
  assert.equal(blocks[at + 1]?.['type'], 'actions');
  assert.equal((blocks[at]?.['element'] as Json)['action_id'], reasonInputId);
  assert.match(text, /Create a GitHub issue/);
  const final = slackApprovalBlocks(cardModel({ state: 'approved', outcomeText: 'Approved' }));
  assert.equal(
    final.blocks.some((b) => b['type'] === 'input' || b['type'] === 'actions'),
    false,
  );
});

test('the worst-case card with its reason box stays within Teams and Slack limits', () => {
  const model = cardModel({
    agent: 'a'.repeat(5000),
    keyFields: Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, 'v'.repeat(1000)]),
    bodyPreview: 'b'.repeat(100_000),
    notes: Array.from({ length: 10 }, () => 'n'.repeat(1000)),
  });
  assert.ok(JSON.stringify(teamsApprovalCard(model)).length < 28_000);
  const { blocks } = slackApprovalBlocks(model);
  assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
  for (const b of blocks) {
    const t = (b['text'] as { text?: string } | undefined)?.text ?? '';
    assert.ok(t.length <= 3000, `a block of ${t.length} chars`);
  }
});

const teamsActivity = (v: Json): Json => ({
  type: 'message',
  id: 'act-1',
  from: { id: 'user-bob', name: 'Bob', aadObjectId: 'aad-bob' },
  conversation: { id: 'c', tenantId: 't' },
  value: v,
});

/** A Teams click on Reject whose activity value is `v`, as the edge reads it. */
const teamsReject = (v: Json) =>
  decisionFromClick({ actionId: rejectActionId, value, platform: 'teams', raw: teamsActivity(v) });

test('a Teams reason is read from an Action.Submit value and from an invoke', () => {
  const typed = 'Not this quarter.\nAsk finance.';
  const submit = teamsReject({ actionId: rejectActionId, value, reason: typed });
  assert.ok(submit.ok);
  assert.equal(submit.decision.reason, typed);
  const invoke = teamsReject({
    action: { data: { actionId: rejectActionId, value, reason: typed } },
  });
  assert.ok(invoke.ok);
  assert.equal(invoke.decision.reason, typed);
  const none = teamsReject({ actionId: rejectActionId, value, reason: { evil: true } });
  assert.ok(none.ok);
  assert.equal(none.decision.reason, undefined);
});

test('a Slack reason is read from the click state', () => {
  const raw = {
    user: { id: 'U1', name: 'bob', team_id: 'T1' },
    trigger_id: 'trig-1',
    actions: [{ action_id: rejectActionId, value }],
    state: { values: { [slackReasonBlockId]: { [reasonInputId]: { value: '  duplicate  ' } } } },
  };
  const click = decisionFromClick({ actionId: rejectActionId, value, platform: 'slack', raw });
  assert.ok(click.ok);
  assert.equal(click.decision.reason, 'duplicate');
});

test('capReason keeps words, newlines and tabs, drops control characters, and caps the length', () => {
  assert.equal(capReason('a\r\nb\tc\u0000\u001b[0m'), 'a\nb\tc[0m');
  assert.equal(capReason('   '), undefined);
  assert.equal(capReason(42), undefined);
  const long = capReason('é'.repeat(10_000));
  assert.equal(long?.length, reasonMaxLength);
  assert.ok(long?.endsWith('é…'));
  assert.equal(capReason('x'.repeat(reasonMaxLength)), 'x'.repeat(reasonMaxLength));
});
