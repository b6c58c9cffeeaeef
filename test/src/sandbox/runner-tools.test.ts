// What the runner offers a model, set by policy: `firstStepToolChoice: required` makes the first
// model call of a turn require a tool call (later steps choose freely); `maxSteps` ends the tool
// loop; a capability's typed tool becomes an ordinary sensitive request; `tools` limits what is
// offered; every pattern in the tools' JSON schemas is anchored at both ends, as llama.cpp's
// schema-to-grammar conversion requires.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import type { startGatewayFixture } from '../../helpers/gateway.ts';
import { rileySays, runnerOnGateway } from '../../helpers/runner.ts';
import { testConfig } from '../../helpers/temporal.ts';

const config = testConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function turn(runner: Parameters<typeof startGatewayFixture>[0], text: string) {
  const bench = {
    driver,
    image: config.AIRLOCK_SANDBOX_IMAGE,
    cleanups,
    prefix: 'airlock-runner-steps',
  };
  const { fx, run } = await runnerOnGateway(bench, runner);
  const box = run('turn').runner;
  const report = await rileySays(box, fx, 'turn-1', text);
  const stopped = await box.stop();
  return { fx, report, stderr: stopped.stderr };
}

test(
  'firstStepToolChoice required: the first call requires a tool, the next chooses freely',
  { timeout: 120_000 },
  async () => {
    const { fx, report, stderr } = await turn(
      {
        runner: { firstStepToolChoice: 'required' },
        script: [
          {
            name: 'look',
            afterUser: 'look around',
            toolCalls: [{ id: 'call_ls', name: 'shell', arguments: { command: 'ls' } }],
          },
          { name: 'answer', afterToolResult: 'call_ls', text: 'Nothing here yet.' },
        ],
      },
      'Please look around.',
    );
    assert.deepEqual(report, { reply: 'Nothing here yet.' }, stderr);
    const choices = fx.model.requests.map((r) => r.body?.['tool_choice']);
    assert.equal(choices[0], 'required');
    assert.notEqual(choices[1], 'required');
  },
);

test(
  'maxSteps ends a turn whose model keeps calling tools; every schema pattern is anchored',
  { timeout: 120_000 },
  async () => {
    const loop = Array.from({ length: 6 }, (_, i) => ({
      name: `loop-${i}`,
      ...(i === 0 ? { afterUser: 'count' } : { afterToolResult: `call_${i - 1}` }),
      toolCalls: [{ id: `call_${i}`, name: 'shell', arguments: { command: `echo ${i}` } }],
    }));
    const { fx, stderr } = await turn(
      { runner: { maxSteps: 3 }, script: loop },
      'Please count for ever.',
    );
    assert.equal(fx.model.requests.length, 3, stderr);
    assert.notEqual(fx.model.requests[0]?.body?.['tool_choice'], 'required');
    const patterns = JSON.stringify(fx.model.requests[0]?.body?.['tools']).match(
      /"pattern":"(?:[^"\\]|\\.)*"/g,
    );
    assert.ok(patterns && patterns.length > 0, 'request_action has a path pattern');
    for (const p of patterns) assert.match(p, /^"pattern":"\^.*\$"$/);
  },
);

test(
  'a capability tool is offered with its typed fields and its call is a sensitive request; tools limits the offer',
  { timeout: 120_000 },
  async () => {
    const refund = {
      name: 'request_refund',
      description: 'Refund an order.',
      capability: 'refunds-api',
      method: 'POST',
      path: '/refunds',
      fields: {
        order: { type: 'string' as const, description: 'The order id', optional: false },
        amount: { type: 'number' as const, optional: false },
        currency: { type: 'string' as const, enum: ['EUR', 'USD'], optional: false },
        note: { type: 'string' as const, optional: true },
      },
    };
    const args = { order: 'A-1001', amount: 120, currency: 'EUR', purpose: 'Damaged parcel' };
    const { fx, report, stderr } = await turn(
      {
        runner: { capabilityTools: [refund], tools: ['request_refund', 'send_message'] },
        script: [
          {
            name: 'refund',
            afterUser: 'refund',
            toolCalls: [{ id: 'call_r', name: 'request_refund', arguments: args }],
          },
          { name: 'told', afterToolResult: 'call_r', text: 'Waiting for an approver.' },
        ],
      },
      'Please refund order A-1001.',
    );
    assert.deepEqual(report, { reply: 'Waiting for an approver.' }, stderr);
    const offered = (fx.model.requests[0]?.body?.['tools'] ?? []) as {
      function: { name: string; parameters: Record<string, unknown> };
    }[];
    assert.deepEqual(
      offered.map((t) => t.function.name),
      ['send_message', 'request_refund'],
    );
    const params = offered[1]?.function.parameters as {
      properties: Record<string, { enum?: string[] }>;
      required: string[];
    };
    assert.deepEqual(params.required.sort(), ['amount', 'currency', 'order', 'purpose']);
    assert.deepEqual(params.properties['currency']?.enum, ['EUR', 'USD']);
    assert.deepEqual(fx.actions, [
      {
        capability: 'refunds-api',
        method: 'POST',
        path: '/refunds',
        body: { order: 'A-1001', amount: 120, currency: 'EUR' },
        purpose: 'Damaged parcel',
        agentId: 'support',
        sessionId: 'session:support:t1',
        turn: 'turn-1',
      },
    ]);
  },
);
