// `model.apis` names the wire protocols an agent's model endpoint takes (so the routes its gateway
// serves the box): absent means chat completions only, and an agent pinned without it keeps that;
// a list of the three known names is carried to the gateway and told to the harness in the box;
// anything else is a policy error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayAgent, runnerSettings } from '../../../src/agents/gateways.ts';
import { resolveAgent } from '../../../src/policy/agents.ts';
import { base, policyOf, problemsOf } from './helpers.ts';

const agent = (apis: string) => `agents:
  - id: harness-bot
    sensitivity: action
    model:
      endpoint: https://api.anthropic.com/v1
      model: claude-x
      apiKeyCredential: anthropic-key${apis}
`;

test('model.apis: absent is chat completions only; a list reaches the gateway as given', () => {
  const plain = resolveAgent(policyOf(base, agent('')).set, 'harness-bot');
  assert.equal(plain.model.apis, undefined, 'an agent that names none is pinned as before');
  assert.deepEqual(gatewayAgent(plain).modelApis, ['chat-completions']);
  assert.deepEqual(runnerSettings(plain, 's').modelApis, ['chat-completions']);
  const named = resolveAgent(
    policyOf(base, agent('\n      apis: [anthropic-messages, responses]')).set,
    'harness-bot',
  );
  assert.deepEqual(named.model.apis, ['anthropic-messages', 'responses']);
  assert.deepEqual(gatewayAgent(named).modelApis, ['anthropic-messages', 'responses']);
  // The harness in the box learns them from GET /v1/agent, to pick its route.
  assert.deepEqual(runnerSettings(named, 's').modelApis, ['anthropic-messages', 'responses']);
});

test('model.apis refuses an unknown protocol and an empty list', () => {
  const unknown = problemsOf(base, agent('\n      apis: [chat-completions, gemini]'));
  assert.ok(
    unknown.some((p) => /anthropic-messages/.test(p.message) && /apis/.test(p.path)),
    JSON.stringify(unknown),
  );
  const empty = problemsOf(base, agent('\n      apis: []'));
  assert.ok(
    empty.some((p) => /apis/.test(p.path)),
    JSON.stringify(empty),
  );
});
