// Typed capability tools and an agent's `tools` list in the policy: a tool is one request its
// capability allows, names are unique and not built-in, an agent may only list tools it can have;
// resolveAgent hands each tool to the runner with its capability named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAgent } from '../../../src/policy/agents.ts';
import { loadPolicySet } from '../../../src/policy/load.ts';
import { policyOf, problemsOf, theProblem } from './helpers.ts';

const withTools = (tools: string, agentTools = '') => `
users:
  - { id: alice, displayName: Alice, tenantId: t1, aadObjectId: a-1 }
agents:
  - id: support-bot
    sensitivity: action
    model: { endpoint: 'http://127.0.0.1:4011/v1', model: m, apiKeyCredential: model-key }
    capabilities: [refunds-api]
    credentials: [refunds-key]
    talkers: { users: [alice] }
${agentTools}
capabilities:
  - id: refunds-api
    baseUrl: http://127.0.0.1:4010
    methods: [POST]
    paths: [/refunds]
    credential: refunds-key
    tools:
${tools}
`;

const refundTool = `      - name: request_refund
        description: Refund an order.
        method: POST
        path: /refunds
        fields:
          order: { type: string }
          amount: { type: number, description: The amount }
          note: { type: string, optional: true }`;

test('resolveAgent gives the runner each capability tool, its capability named, and the tools list', () => {
  const { set } = policyOf(withTools(refundTool, '    tools: [request_refund, send_message]'));
  const agent = resolveAgent(set, 'support-bot');
  assert.deepEqual(agent.capabilityTools, [
    {
      name: 'request_refund',
      description: 'Refund an order.',
      capability: 'refunds-api',
      method: 'POST',
      path: '/refunds',
      fields: {
        order: { type: 'string', optional: false },
        amount: { type: 'number', description: 'The amount', optional: false },
        note: { type: 'string', optional: true },
      },
    },
  ]);
  assert.deepEqual(agent.tools, ['request_refund', 'send_message']);
  assert.equal(resolveAgent(policyOf(withTools(refundTool)).set, 'support-bot').tools, undefined);
});

test('a tool its capability does not allow, a built-in name and an unknown listed tool are errors', () => {
  theProblem(
    problemsOf(withTools(refundTool.replace('method: POST', 'method: DELETE'))),
    /capability "refunds-api" does not allow DELETE/,
  );
  theProblem(
    problemsOf(withTools(refundTool.replace('path: /refunds', 'path: /admin'))),
    /\/admin matches none of capability "refunds-api"'s paths/,
  );
  theProblem(
    problemsOf(withTools(refundTool.replace('name: request_refund', 'name: shell'))),
    /that name is a built-in tool/,
  );
  theProblem(
    problemsOf(withTools(refundTool, '    tools: [request_refund, delete_everything]')),
    /"delete_everything" is neither a built-in tool nor a tool of this agent's capabilities/,
  );
});

test('the demo policy offers support-bot request_refund on the refunds API', async () => {
  const { set, warnings } = await loadPolicySet('policies');
  assert.deepEqual(warnings, []);
  const tools = resolveAgent(set, 'support-bot').capabilityTools ?? [];
  assert.deepEqual(
    tools.map((t) => [t.name, t.capability, t.method, t.path, Object.keys(t.fields)]),
    [
      [
        'request_refund',
        'refunds-api',
        'POST',
        '/refunds',
        ['order', 'amount', 'currency', 'reason'],
      ],
    ],
  );
  assert.deepEqual(resolveAgent(set, 'research-bot').capabilityTools, []);
});

test("the policy's built-in tool names are the runner's, so no capability tool can shadow one", async () => {
  const { builtinTools } = await import('../../../src/policy/capability-tools.ts');
  // The runner is plain JavaScript of its own package (no types): imported by a computed name.
  const runnerConfig = '../../../sandbox/src/config.js';
  const { TOOL_NAMES } = (await import(runnerConfig)) as { TOOL_NAMES: string[] };
  assert.deepEqual([...builtinTools].sort(), [...TOOL_NAMES].sort());
});
