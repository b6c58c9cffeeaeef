// The buttons' value: it round-trips, and the parser accepts only what a card put there (the value
// comes back from the clicker's client).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buttonLimits,
  encodeButtonValue,
  parseButtonValue,
} from '../../../src/chat/card-buttons.ts';

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
    JSON.stringify({ workflowId: 'w'.repeat(buttonLimits.workflowId + 1), requestHash: 'h' }),
  ]) {
    assert.equal(parseButtonValue(bad), null, String(bad));
  }
});
