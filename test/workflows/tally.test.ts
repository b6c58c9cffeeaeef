// Tally, the pure judge of clicks: once a request is decided or closed as expired, every later
// click is refused with the reason (a late approval can never revive an expired request), and a
// counted click keeps its reason capped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reasonMaxLength } from '../../workflows/sensitive-action/messages.ts';
import { Tally } from '../../workflows/sensitive-action/tally.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';
import { click, people } from '../helpers/actions.ts';

const approver = (p: (typeof people)[keyof typeof people], id: string) => ({
  id,
  displayName: p.displayName,
  tenantId: p.tenantId,
  aadObjectId: p.aadObjectId,
});
const decision = {
  shortHash: 'h-1',
  requestHash: 'h-1-full',
  approvers: [approver(people.alice, 'alice'), approver(people.bob, 'bob')],
  quorum: 2,
  rejectionsToDeny: 1,
  allowSelfApproval: false,
} as unknown as PinnedDecision;
const request = { agent: 'support-bot' } as ActionRequest;

test('an expired request refuses every later click, approvals included', () => {
  const tally = new Tally(decision, request);
  assert.equal(tally.consider(click(people.alice, 'approve', 'h-1')).kind, 'counted');
  tally.closedAs = 'expired';
  assert.deepEqual(tally.consider(click(people.bob, 'approve', 'h-1')), {
    kind: 'refused',
    why: 'request already expired',
    code: 'decided',
  });
  assert.equal(tally.outcome, null);
  assert.equal(tally.approvals.length, 1);
});

test('a decided request refuses later clicks; a redelivery is a duplicate', () => {
  const tally = new Tally(decision, request);
  const reject = click(people.bob, 'reject', 'h-1', { reason: `no ${'x'.repeat(9000)}` });
  assert.deepEqual(tally.consider(reject), { kind: 'decided', outcome: 'rejected' });
  assert.equal(tally.rejections[0]?.reason?.length, reasonMaxLength);
  assert.deepEqual(tally.consider(reject), { kind: 'duplicate' });
  assert.deepEqual(tally.consider(click(people.alice, 'approve', 'h-1')), {
    kind: 'refused',
    why: 'request already rejected',
    code: 'decided',
  });
});

test('a click whose reason is not text is refused as malformed', () => {
  const tally = new Tally(decision, request);
  const bad = { ...click(people.bob, 'reject', 'h-1'), reason: { $gt: '' } as unknown as string };
  assert.deepEqual(tally.consider(bad), {
    kind: 'refused',
    why: 'malformed decision',
    code: 'malformed',
  });
});
