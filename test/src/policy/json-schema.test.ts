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
    'mcpServers',
    'rules',
    'settings',
    'users',
  ]);
  const text = JSON.stringify(schema);
  assert.match(text, /"pattern":"\^\(\[1-9\]\[0-9\]\{0,5\}\)\(\[smhd\]\)\$"/);
});

test('the JSON Schema describes agents: model, sandbox defaults, web hosts and talkers', () => {
  type Obj = { properties: Record<string, Obj>; required?: string[]; default?: unknown };
  const schema = policyJsonSchema() as unknown as Obj;
  const agent = (schema.properties.agents as unknown as { items: Obj }).items;
  assert.deepEqual(agent.required, ['id', 'sensitivity']);
  for (const key of ['displayName', 'instructions', 'model', 'sandbox', 'web', 'talkers']) {
    assert.ok(agent.properties[key], key);
  }
  assert.deepEqual(agent.properties.model?.required, ['endpoint', 'model', 'apiKeyCredential']);
  const sandbox = agent.properties.sandbox!.properties;
  assert.deepEqual(
    ['memoryMb', 'cpus', 'pids', 'idleTimeout'].map((k) => sandbox[k]?.default),
    [512, 1, 256, '15m'],
  );
});
