// The action workflow id, one definition for who builds it and who checks it: a request id becomes
// `action:<requestId>`, and only such ids (with a valid request id) name a sensitive action.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  actionWorkflowId,
  isActionWorkflowId,
  isRequestId,
  toActionWorkflowId,
} from '../../workflows/sensitive-action/ids.ts';

test('a request id becomes action:<id>, which names a sensitive action', () => {
  assert.equal(actionWorkflowId('refund-42'), 'action:refund-42');
  assert.ok(isActionWorkflowId(actionWorkflowId('a.b_c:d-1')));
  assert.ok(isActionWorkflowId(actionWorkflowId('x'.repeat(100))));
});

test('ids that are not action:<valid request id> are refused', () => {
  for (const id of [
    'action:',
    'session:agent:key',
    'grant:abc',
    'Action:abc',
    'xaction:abc',
    `action:${'x'.repeat(101)}`,
    'action:has space',
    'action:abc\n',
    'action:a/b',
  ]) {
    assert.equal(isActionWorkflowId(id), false, id);
  }
  assert.equal(isRequestId(''), false);
  assert.equal(isRequestId('ok.1'), true);
});

test('the CLI takes either a request id or a workflow id', () => {
  assert.equal(toActionWorkflowId('abc'), 'action:abc');
  assert.equal(toActionWorkflowId('action:abc'), 'action:abc');
});
