// Agent sessions end to end, with real parts: the Temporal dev server, a worker running
// agentSessionWorkflow and its turn activity, a real sandbox (Docker, the runner image), the
// per-sandbox gateway, the vault, the demo refunds API, and the scripted stand-in model speaking
// the OpenAI wire protocol. Messages come from the CLI side (sendToAgent); chat delivery has its
// own tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { removeOrphanBoxes } from '../../src/agents/orphans.ts';
import { createLogger } from '../../src/log.ts';
import { ensureAgentBox } from '../../src/sandbox/agent-box.ts';
import { agentBoxName } from '../../src/sandbox/box-names.ts';
import { execInBox } from '../../src/sandbox/exec.ts';
import { closeSessionSignal } from '../../workflows/agent-session/messages.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { people, decide } from '../helpers/actions.ts';
import { CANARY, sessionFixture, type SessionFixture, toolTurn } from '../helpers/sessions.ts';

const refund = (amount: number) => ({
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order: 'A-1001', amount, currency: 'EUR', reason: 'parcel arrived damaged' },
  purpose: `Refund order A-1001 (${amount} EUR): the parcel arrived damaged.`,
});
async function startedRequest(handle: WorkflowHandle): Promise<ActionRequest> {
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  const [input] = await decodeArrayFromPayloads(fx.client.options.loadedDataConverter, payloads);
  return (input as { request: ActionRequest }).request;
}
const lastUserText = (messages: { role: string; content?: unknown }[]): string => {
  const last = messages.at(-1);
  return last?.role === 'user' ? JSON.stringify(last.content) : '';
};

let fx: SessionFixture;

describe('agent sessions', { timeout: 240_000 }, () => {
  before(async () => {
    fx = await sessionFixture(
      [
        { name: 'hello', afterUser: 'hello', text: 'Hello Riley, how can I help?' },
        ...toolTurn(
          ['note', 'noted'],
          'remember',
          { id: 'n1', name: 'shell', arguments: { command: 'echo kept > notes.txt' } },
          'Noted in notes.txt.',
        ),
        ...toolTurn(
          ['small', 'small-done'],
          'refund 20',
          { id: 's1', name: 'request_action', arguments: refund(20) },
          'Refunded 20 EUR.',
        ),
        ...toolTurn(
          ['large', 'large-waiting'],
          'refund 120',
          { id: 'l1', name: 'request_action', arguments: refund(120) },
          'The 120 EUR refund waits for an approver.',
        ),
        {
          name: 'outcome',
          when: (m) => lastUserText(m).includes('Update on action'),
          text: 'Good news: your 120 EUR refund was approved and paid.',
        },
      ],
      (yaml) => yaml.replace('idleTimeout: 15m', 'idleTimeout: 3s'),
    );
    await fx.startSessionWorker();
  });
  after(async () => fx?.close());

  test('a message runs a turn in the sandbox and the reply comes back', async () => {
    const id = await fx.send(fx.support, 'cli-hello', 'hello there');
    const status = await fx.waitForReply(id);
    assert.equal(status.replies[0]?.text, 'Hello Riley, how can I help?');
    assert.equal(status.turn, 1);
    const box = await fx.box(fx.support);
    assert.ok(box, 'the session has a sandbox');
    // The model saw the message with who wrote it; the key came from the vault, not the box.
    const call = fx.model.requests.find((r) => r.path === '/v1/chat/completions');
    assert.match(JSON.stringify(call?.body), /Riley Requester: hello there/);
    assert.equal(call?.headers.authorization, `Bearer ${CANARY}`);
  });

  test('an allowed action executes within the turn; one that needs approval comes back later', async () => {
    const id = await fx.send(fx.support, 'cli-refunds', 'please refund 20 for A-1001');
    let status = await fx.waitForReply(id);
    assert.equal(status.replies.at(-1)?.text, 'Refunded 20 EUR.');
    assert.equal(fx.api.refunds.length, 1);

    await fx.send(fx.support, 'cli-refunds', 'and refund 120 too');
    status = await fx.waitForReply(id, status.turn);
    assert.equal(status.replies.at(-1)?.text, 'The 120 EUR refund waits for an approver.');
    const [pending] = status.pendingActions;
    assert.ok(pending, 'the large refund is pending');

    // The approver's card shows who asked the agent, the message and the agent's purpose.
    const handle = fx.client.workflow.getHandle(pending.workflowId);
    const request = await startedRequest(handle);
    assert.equal(request.requester?.displayName, 'Riley Requester');
    assert.equal(request.context?.message, 'and refund 120 too');
    assert.equal(request.context?.sessionWorkflowId, id);
    assert.match(request.purpose ?? '', /parcel arrived damaged/);
    assert.equal(request.sessionId, `${fx.support}:cli-refunds`);

    const action = await fx.waitFor(
      () => handle.query(statusQuery),
      (s) => s.state === 'pending',
    );
    await decide(handle, people.alice, action.requestHash);
    status = await fx.waitForReply(id, status.turn);
    assert.equal(
      status.replies.at(-1)?.text,
      'Good news: your 120 EUR refund was approved and paid.',
    );
    assert.equal(fx.api.refunds.length, 2);
    assert.equal(status.pendingActions.length, 0);
  });

  test('the model key never reaches the sandbox, the logs or the history', async () => {
    const box = await fx.box(fx.support);
    assert.ok(box);
    const inspect = await fx.driver.docker.getContainer(box.id).inspect();
    assert.doesNotMatch(JSON.stringify(inspect), new RegExp(CANARY));
    // Everything the box holds and every process's environment and command line, read inside it
    // (the scan itself does not name the canary, so it cannot find itself).
    const scan = await execInBox(
      fx.driver.docker,
      box.id,
      [
        'sh',
        '-c',
        'cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null; find /workspace /tmp /app /home -type f -exec cat {} + 2>/dev/null; echo scanned',
      ],
      { timeoutMs: 30_000 },
    );
    assert.match(scan.stdout, /scanned\n?$/);
    // Its own session's saved conversation (each session has its own workspace).
    assert.match(scan.stdout, /"lastTurn":\{"id":/, 'the scan read the saved conversation');
    assert.ok(!scan.stdout.includes(CANARY), 'the canary is somewhere in the sandbox');
    assert.doesNotMatch(fx.logText(), new RegExp(CANARY));
    const history = await fx.client.workflow
      .getHandle(`session:${fx.support}:cli-refunds`)
      .fetchHistory();
    assert.doesNotMatch(JSON.stringify(history), new RegExp(CANARY));
  });

  test('an idle sandbox is stopped and the next message wakes it with its workspace', async () => {
    const id = await fx.send(fx.support, 'cli-idle', 'remember this please');
    let status = await fx.waitForReply(id);
    assert.equal(status.replies.at(-1)?.text, 'Noted in notes.txt.');
    status = await fx.waitForStatus(id, (s) => s.state === 'idle', 'the idle stop', 30_000);
    const boxes = await fx.driver.docker.listContainers({
      all: true,
      filters: { label: [`airlock.session=${fx.support}:cli-idle`] },
    });
    assert.equal(boxes[0]?.State, 'exited', 'the idle sandbox is stopped, not removed');

    fx.model.setScript([{ name: 'again', afterUser: 'hello again', text: 'Back again.' }]);
    await fx.send(fx.support, 'cli-idle', 'hello again');
    status = await fx.waitForReply(id, status.turn);
    assert.equal(status.replies.at(-1)?.text, 'Back again.');
    const [box] = await fx.driver.docker.listContainers({
      filters: { label: [`airlock.session=${fx.support}:cli-idle`] },
    });
    assert.ok(box, 'the sandbox runs again');
    const notes = await execInBox(fx.driver.docker, box.Id, ['cat', 'notes.txt'], {
      timeoutMs: 10_000,
    });
    assert.equal(notes.stdout.trim(), 'kept');
  });

  test('closing a session removes its sandbox; boxes of ended sessions are removed at worker start', async () => {
    const id = await fx.send(fx.support, 'cli-close', 'hello there');
    await fx.waitForReply(id);
    const handle = fx.client.workflow.getHandle(id);
    await handle.signal(closeSessionSignal, { by: 'test' });
    await handle.result();
    const left = await fx.driver.docker.listContainers({
      all: true,
      filters: { label: [`airlock.session=${fx.support}:cli-close`] },
    });
    assert.equal(left.length, 0, 'the closed session has no sandbox');

    // Boxes nobody runs: one of an ended session here, one of another namespace, one of another
    // Temporal server with this namespace (a test's private server, another deployment).
    const spec = (namespace: string, key: string, temporal = fx.config.TEMPORAL_ADDRESS) => ({
      agentId: fx.support,
      sessionId: `${fx.support}:${key}`,
      workflowId: `session:${fx.support}:${key}`,
      namespace,
      temporal,
      limits: { memoryMb: 64, cpus: 0.5, pids: 32 },
      socketDir: fx.dir,
      image: fx.config.AIRLOCK_SANDBOX_IMAGE,
    });
    const ended = await ensureAgentBox(
      fx.driver.docker,
      spec(fx.config.TEMPORAL_NAMESPACE, 'ended'),
    );
    const other = await ensureAgentBox(fx.driver.docker, spec('elsewhere', 'ended'));
    const otherServer = await ensureAgentBox(
      fx.driver.docker,
      spec(fx.config.TEMPORAL_NAMESPACE, 'ended', '127.0.0.1:1'),
    );
    const removed = await removeOrphanBoxes(
      fx.driver.docker,
      fx.client,
      createLogger({ level: 'silent' }),
      fx.config.TEMPORAL_ADDRESS,
    );
    const ids = (await fx.driver.docker.listContainers({ all: true })).map((c) => c.Id);
    assert.ok(!ids.includes(ended.containerId), "the ended session's box is removed");
    assert.ok(ids.includes(other.containerId), "another namespace's box is kept");
    assert.ok(ids.includes(otherServer.containerId), "another server's box is kept");
    // The sweep names what it removed. A worker of another test file starting meanwhile (its start
    // sweeps the same namespace) may have removed the ended box first: then this sweep removed
    // nothing of this agent, and never the other namespace's or server's box.
    const name = agentBoxName(spec(fx.config.TEMPORAL_NAMESPACE, 'ended'));
    assert.ok(
      removed.includes(name) || !removed.some((n) => n.includes(fx.support)),
      `removed ${JSON.stringify(removed)}`,
    );
  });
});
