// The runner's guards against a small model looping or answering in prose, both policy settings:
// `firstStepToolChoice: required` makes the first model call of a turn require a tool call (later
// steps choose freely), and `maxSteps` ends the tool loop; every pattern in the tools' JSON schemas
// is anchored at both ends, as llama.cpp's schema-to-grammar conversion requires.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import { startGatewayFixture } from '../../helpers/gateway.ts';
import { createWorkspace, settled, startRunner } from '../../helpers/runner.ts';
import { testConfig } from '../../helpers/temporal.ts';

const config = testConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const said = (text: string) => ({
  kind: 'message',
  message: {
    messageId: randomUUID(),
    from: { platform: 'cli', userId: 'riley', displayName: 'Riley', policyUserId: 'riley' },
    text,
    receivedAt: new Date().toISOString(),
  },
});

async function turn(runner: Parameters<typeof startGatewayFixture>[0], text: string) {
  const fx = await startGatewayFixture(runner);
  cleanups.push(() => fx.close());
  const ws = createWorkspace();
  cleanups.push(() => ws.remove());
  const name = `airlock-runner-steps-${randomUUID()}`;
  cleanups.push(() => driver.remove(name));
  const box = startRunner(driver, {
    name,
    image: config.AIRLOCK_SANDBOX_IMAGE,
    socketPath: fx.gateway.socketPath,
    workspace: ws.dir,
  });
  const report = await settled(box, fx.inbox.startTurn('turn-1', [said(text)]), 'the report');
  const run = await box.stop();
  return { fx, report, stderr: run.stderr };
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
