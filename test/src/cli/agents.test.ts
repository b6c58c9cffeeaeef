// `airlock agents` against the real dev server. Without a worker: send refuses a non-talker and
// starts nothing, and a talker's message starts `session:<agent>:cli-<user>` with the signal in
// its history. With a worker running the real agentSessionWorkflow, whose turn activity here is a
// test-local echo (this tests the CLI, not the sandbox): send --wait, status, replies, chat, list
// and close.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loginName } from '../../../src/cli/agent-session.ts';
import { bufferIo, type CliIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { Config } from '../../../src/config.ts';
import { createClient, dataConverter } from '../../../src/temporal/client.ts';
import { createLogger } from '../../../src/log.ts';
import { installRuntimeLogger, workflowsPath } from '../../../src/temporal/worker.ts';
import type { SessionMessage } from '../../../workflows/agent-session/messages.ts';
import type { AgentSessionActivities } from '../../../workflows/agent-session/types.ts';
import { envFor, repoRoot, testConfig, terminateRuns } from '../../helpers/temporal.ts';

let dir: string;
let config: Config;
let env: Record<string, string | undefined>;
let client: Client;
const started = new Set<string>();
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-agents-cli-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies/airlock.yaml'),
    readFileSync(join(repoRoot, 'policies/airlock.yaml'), 'utf8'),
  );
  config = testConfig({ AIRLOCK_DATA_DIR: dir, AIRLOCK_POLICY_DIR: join(dir, 'policies') });
  env = envFor(config);
  client = await createClient(config);
});
after(async () => {
  await terminateRuns(client, started, 'test done');
  await client?.connection.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function airlock(args: string[], io: CliIo & { out: string; err: string } = bufferIo()) {
  const code = await main(['agents', ...args], io, env);
  return { code, out: io.out, err: io.err };
}
const unique = () => `t-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

test('send refuses someone who may not talk to the agent, or no policy user, and starts nothing', async () => {
  const key = unique();
  let r = await airlock([
    'send',
    'support-bot',
    'refund me',
    '--as',
    'mallory',
    '--conversation',
    key,
  ]);
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    'airlock agents: mallory may not talk to support-bot (its talkers: riley, alice, bob); nothing was sent.\n',
  );
  r = await airlock(['send', 'support-bot', 'hi', '--as', 'nobody@example.com']);
  assert.equal(r.code, 1);
  assert.match(r.err, /"nobody@example.com" is not a user in the policy/);
  if (!['alice', 'bob', 'riley', 'mallory'].includes(loginName())) {
    r = await airlock(['send', 'support-bot', 'hi']);
    assert.equal(r.code, 1);
    assert.match(r.err, /your login "[^"]+" is not a user in the policy; pass --as/);
  }
  r = await airlock(['send', 'no-such-bot', 'hi', '--as', 'riley']);
  assert.equal(r.code, 1);
  assert.match(r.err, /No agent "no-such-bot" in the policy/);
  await assert.rejects(
    client.workflow.getHandle(`session:support-bot:${key}`).describe(),
    (err: Error) => err.name === 'WorkflowNotFoundError',
  );
});

test('send as a talker starts session:<agent>:cli-<user> with the message signal, no worker needed', async () => {
  const workflowId = 'session:support-bot:cli-riley';
  // A session left by an earlier run would take the signal on its own (dead) task queue.
  await client.workflow
    .getHandle(workflowId)
    .terminate('earlier test run')
    .catch(() => undefined);
  started.add(workflowId);
  const r = await airlock([
    'send',
    'support-bot',
    'my parcel is damaged',
    '--as',
    'riley@example.com',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `${workflowId}\n`);
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  assert.equal(d.type, 'agentSessionWorkflow');
  assert.equal(d.taskQueue, config.TEMPORAL_TASK_QUEUE);
  const events = (await handle.fetchHistory()).events ?? [];
  const signal = events.find(
    (e) => e.workflowExecutionSignaledEventAttributes,
  )?.workflowExecutionSignaledEventAttributes;
  assert.equal(signal?.signalName, 'sessionMessage');
  const [message] = (await decodeArrayFromPayloads(
    client.options.loadedDataConverter,
    signal?.input?.payloads,
  )) as [SessionMessage];
  assert.equal(message.text, 'my parcel is damaged');
  assert.deepEqual(message.from, {
    platform: 'cli',
    userId: loginName(),
    displayName: 'Riley Requester',
    policyUserId: 'riley',
  });
  const [input] = (await decodeArrayFromPayloads(
    client.options.loadedDataConverter,
    events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads,
  )) as [{ conversation: { platform: string; label: string } }];
  const via = loginName() === 'riley' ? '' : ` via ${loginName()}`;
  assert.deepEqual(input.conversation, { platform: 'cli', label: `CLI (riley${via})` });
  await handle.terminate('test done');
});

test('list shows the policy agents without Temporal, and says the sessions are unknown', async () => {
  const io = bufferIo();
  const code = await main(['agents', 'list'], io, { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  assert.equal(code, 0, io.err);
  assert.match(
    io.out,
    /^support-bot {2}Support {2}\(action\)\n {2}model: http:\/\/127\.0\.0\.1:4011\/v1 airlock-standin\n {2}talkers: 3 {2}idle timeout: 15m\n {2}sessions: unknown \(Temporal at 127\.0\.0\.1:1/m,
  );
  assert.match(io.out, /^research-bot {2}Research {2}\(research\)/m);
});

/** The turn activity of this test: echoes what it was given; "silent" gets no reply. */
const echoActivities: AgentSessionActivities = {
  runAgentTurn: ({ items, tokensUsed }) => {
    const text = items.flatMap((i) => (i.kind === 'message' ? [i.message.text] : [])).join(' / ');
    const reply =
      text === 'silent' ? '' : text === 'long' ? `${'word '.repeat(2000)}end` : `echo: ${text}`;
    return Promise.resolve({
      reply,
      tokensUsed: tokensUsed + 10,
      boxCreated: false,
      idleTimeoutMs: 60_000,
    });
  },
  stopAgentSandbox: () => Promise.resolve(),
  removeAgentSandbox: () => Promise.resolve(),
  postSessionReply: () => Promise.resolve(),
};

test('with a session worker: send --wait prints the reply, status, replies, chat, list and close', async () => {
  installRuntimeLogger(createLogger({ level: 'warn' }));
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath,
    activities: echoActivities,
    dataConverter: dataConverter(config),
  });
  const key = unique();
  const wf = `session:support-bot:${key}`;
  started.add(wf);
  const as = ['--as', 'riley', '--conversation', key];
  try {
    await worker.runUntil(async () => {
      let r = await airlock(['send', 'support-bot', 'hello', ...as, '--wait', '60']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, `${wf}\necho: hello\n`);
      // The second --wait must not answer with the first turn's reply.
      r = await airlock(['send', 'support-bot', 'again', ...as, '--wait']);
      assert.equal(r.out, `${wf}\necho: again\n`);
      r = await airlock(['send', 'support-bot', 'silent', ...as, '--wait', '2']);
      assert.equal(r.code, 1);
      assert.equal(
        r.err,
        `airlock agents: no reply within 2 s; the message is queued in ${wf} (airlock agents status ${wf})\n`,
      );
      r = await airlock(['send', 'support-bot', 'long', ...as, '--wait', '60']);
      assert.equal(r.code, 0, r.err);

      r = await airlock(['status', 'support-bot', ...as]);
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.out,
        new RegExp(`^${wf}\n  agent: +support-bot · CLI \\(riley( via .+)?\\)\n`),
      );
      assert.match(
        r.out,
        /\n {2}state: +waiting\n {2}turn: +4\n {2}queued: +0\n {2}tokens used: +40\n/,
      );
      assert.match(r.out, /\n {2}pending actions: +none\n$/);
      assert.equal((await airlock(['status', wf])).out, r.out);

      r = await airlock(['replies', wf, '--turn', '4']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^--- turn 4, \S+\n(word ){2000}end\n$/);
      r = await airlock(['replies', wf]);
      assert.deepEqual(
        [...r.out.matchAll(/^--- turn (\d+)/gm)].map((m) => m[1]),
        ['1', '2', '4'],
      );
      r = await airlock(['replies', wf, '--turn', '3']);
      assert.equal(r.code, 1);
      assert.match(r.err, /no reply of turn 3 is kept/);

      // chat: a line, its reply printed as it comes, /status, end of input.
      const io = bufferIo();
      io.lines = async function* () {
        yield 'how are you';
        for (let i = 0; i < 200 && !io.out.includes('support-bot: echo: how are you'); i++)
          await new Promise((res) => setTimeout(res, 50));
        yield '/status';
      };
      r = await airlock(['chat', 'support-bot', ...as], io);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^Talking to support-bot as Riley Requester in session:support-bot:t-/);
      assert.match(r.out, /\nsupport-bot: echo: how are you\n/);
      assert.match(r.out, new RegExp(`\n${wf}\n  agent: .*\n  state: +waiting\n  turn: +5\n`));
      assert.doesNotMatch(r.out, /echo: hello/, 'earlier replies are not printed again');

      let listed = '';
      for (let i = 0; i < 50 && !listed.includes(wf); i++) {
        listed = (await airlock(['list'])).out;
        if (!listed.includes(wf)) await new Promise((res) => setTimeout(res, 200));
      }
      assert.match(listed, new RegExp(`\n {4}${wf} {2}(waiting|working)\n`));

      r = await airlock(['close', wf]);
      assert.equal(r.out, `closing ${wf}\n`);
      await client.workflow.getHandle(wf).result();
      assert.equal((await client.workflow.getHandle(wf).describe()).status.name, 'COMPLETED');
    });
  } finally {
    await connection.close();
  }
});
