// Airlock's runner in a real box takes an MCP server's tool from the gateway's MCP endpoint like
// any other: offered to the model as <server>__<tool> with the server's schema and a purpose, its
// call an action request on mcp:<server>; the tool's text (executed) or the wait for approval
// (pending) reaches the model as the tool result, and the turn ends with the model's reply.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { textOf, type ChatMessage } from '../../../src/dev/model-standin.ts';
import { createMcpHub } from '../../../src/mcp/hub.ts';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import { runCleanups } from '../../helpers/cleanup.ts';
import { captureLogger } from '../../helpers/log.ts';
import { tempVault, testServer } from '../../helpers/mcp-servers/servers.ts';
import { rileySays, runnerOnGateway } from '../../helpers/runner.ts';
import { testConfig } from '../../helpers/temporal.ts';

const config = testConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
const store = tempVault();
const calls = join(store.dir, 'calls.txt');
const hub = createMcpHub({
  servers: [testServer('orders', ['echo', 'write_note'], { env: { CALLS_FILE: calls } })],
  vault: store.vault,
  logger: captureLogger('debug').logger,
});
const cleanups: (() => unknown)[] = [];
after(() => runCleanups([...cleanups.reverse(), () => hub.close(), () => store.remove()]));

test(
  'the runner offers an MCP server’s tool from /mcp; executed and pending calls reach the model',
  { timeout: 120_000 },
  async () => {
    const purpose = 'Riley asks where order A-1001 is.';
    const bench = { driver, image: config.AIRLOCK_SANDBOX_IMAGE, cleanups, prefix: 'airlock-mcp' };
    const { fx, run } = await runnerOnGateway(bench, {
      agent: { mcpServers: ['orders'] },
      mcp: hub,
      requestAction: async (r) => {
        if (r.path === '/write_note') return { status: 'pending', id: 'action:note-1' };
        // An allow rule: the executor calls the tool through the hub.
        const done = await hub.callTool('orders', 'echo', r.body as Record<string, unknown>);
        return { status: 'executed', result: { status: 200, body: done.text, truncated: false } };
      },
      script: [
        {
          name: 'look',
          afterUser: 'A-1001',
          toolCalls: [
            {
              id: 'c_echo',
              name: 'orders__echo',
              arguments: { message: 'A-1001 left the depot', purpose },
            },
          ],
        },
        {
          name: 'note',
          afterToolResult: 'c_echo',
          toolCalls: [
            { id: 'c_note', name: 'orders__write_note', arguments: { text: 'asked', purpose } },
          ],
        },
        { name: 'told', afterToolResult: 'c_note', text: 'Your parcel left the depot.' },
      ],
    });
    const { runner } = run('echo');
    const report = await rileySays(runner, fx, 'turn-1', 'Where is A-1001?');
    const stopped = await runner.stop();
    assert.deepEqual(report, { reply: 'Your parcel left the depot.' }, stopped.stderr);

    const offered = (fx.model.requests[0]?.body?.['tools'] ?? []) as {
      function: { name: string; parameters: { required: string[] } };
    }[];
    const echo = offered.find((t) => t.function.name === 'orders__echo');
    assert.deepEqual(echo?.function.parameters.required, ['message', 'purpose']);
    const toolText = (i: number) =>
      textOf(((fx.model.requests[i]?.body?.['messages'] ?? []) as ChatMessage[]).at(-1)?.content);
    assert.equal(toolText(1), 'echo: A-1001 left the depot');
    assert.match(toolText(2), /waiting for human approval \(id action:note-1\)/);
    assert.deepEqual(
      fx.actions.map((a) => [a.capability, a.path, a.body, a.turn]),
      [
        ['mcp:orders', '/echo', { message: 'A-1001 left the depot' }, 'turn-1'],
        ['mcp:orders', '/write_note', { text: 'asked' }, 'turn-1'],
      ],
    );
    // Only the executed call reached the server; the pending one waits for a person.
    assert.deepEqual(readFileSync(calls, 'utf8').split('\n').filter(Boolean), ['echo']);
  },
);
