import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { policyJsonSchema } from '../../../src/policy/json-schema.ts';

const committed = new URL('../../../policies/schema.json', import.meta.url);

test('the committed policies/schema.json is up to date (run scripts/gen-policy-schema.ts)', () => {
  assert.deepEqual(JSON.parse(readFileSync(committed, 'utf8')), policyJsonSchema());
});

test('the JSON Schema is strict and describes durations as strings', () => {
  const schema = policyJsonSchema() as {
    additionalProperties: boolean;
    properties: Record<string, unknown>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties).sort(), [
    'agents',
    'capabilities',
    'groups',
    'links',
    'rules',
    'settings',
    'users',
  ]);
  const text = JSON.stringify(schema);
  assert.match(text, /"pattern":"\^\(\[1-9\]\[0-9\]\{0,5\}\)\(\[smhd\]\)\$"/);
});
