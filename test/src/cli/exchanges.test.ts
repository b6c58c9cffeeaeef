// `airlock exchanges` against the real dev server. Exchanges here are a test-only workflow of the
// same type (fixtures/exchange-status-workflow.ts) started with the exchange search attributes and
// a fixed status, run by a worker on the test's own task queue: `list` filters them by asker,
// target and state; `show` reads their status query and prints the question, what was removed,
// the approvals, and the answer only when the exchange completed; agent text is printed inert.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { Config } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';
import { createClient, dataConverter } from '../../../src/temporal/client.ts';
import { installRuntimeLogger } from '../../../src/temporal/worker.ts';
import type { ExchangeStatus } from '../../../workflows/agent-exchange/messages.ts';
import { ExchangeState, FromAgent, ToAgent } from '../../../workflows/agent-exchange/search.ts';
import { envFor, testConfig, terminateRuns } from '../../helpers/temporal.ts';

const workflowsPath = fileURLToPath(
  new URL('./fixtures/exchange-status-workflow.ts', import.meta.url),
);
// Agent ids of this run only, so other runs' exchanges never match the filters.
const tag = `${process.pid}-${Date.now().toString(36)}`;
const asker = `ask-${tag}`;
const research = `res-${tag}`;
const billing = `bill-${tag}`;

let config: Config;
let env: Record<string, string | undefined>;
let client: Client;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
const started: string[] = [];

const status = (over: Partial<ExchangeStatus>): ExchangeStatus => ({
  id: 'x',
  from: asker,
  to: research,
  state: 'working',
  step: 'answer-approval',
  question: {
    text: 'What does the carrier say about damaged parcels?',
    removed: [{ kind: 'instruction-override', excerpt: 'ignore previous instructions' }],
    truncated: false,
  },
  answer: {
    text: 'Covered up to 100 EUR.\u001b[2J',
    removed: [{ kind: 'role-marker', excerpt: 'system:' }],
    truncated: true,
  },
  approvals: [
    { step: 'question', workflowId: 'action:exq-1', outcome: 'approved' },
    { step: 'answer', workflowId: 'action:exa-1' },
  ],
  targetSession: `session:${research}:agent-${asker}`,
  startedAt: '2025-01-02T03:04:05.000Z',
  ...over,
});

async function startExchange(id: string, s: ExchangeStatus): Promise<void> {
  const workflowId = `exchange:${id}`;
  await client.workflow.start('agentExchangeWorkflow', {
    workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ status: { ...s, id } }],
    typedSearchAttributes: [
      { key: FromAgent, value: s.from },
      { key: ToAgent, value: s.to },
      { key: ExchangeState, value: s.state },
    ],
  });
  started.push(workflowId);
}

async function airlock(args: string[]) {
  const io = bufferIo();
  const code = await main(['exchanges', ...args], io, env);
  return { code, out: io.out, err: io.err };
}

before(async () => {
  config = testConfig();
  env = envFor(config);
  client = await createClient(config);
  installRuntimeLogger(createLogger({ level: 'warn' }));
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath,
    dataConverter: dataConverter(config),
  });
  running = worker.run().finally(() => connection.close());
});

after(async () => {
  await terminateRuns(client, started, 'test done');
  worker?.shutdown();
  await running;
  await client?.connection.close();
});

test('list filters by asker, target and state; bad filters are refused', async () => {
  await startExchange(`${tag}-a`, status({ state: 'working' }));
  await startExchange(`${tag}-b`, status({ to: billing, state: 'completed', step: 'done' }));
  await startExchange(`${tag}-c`, status({ state: 'rejected', step: 'answer-approval' }));

  // Visibility catches up shortly after the starts.
  let all = { code: -1, out: '', err: '' };
  for (let i = 0; i < 100; i++) {
    all = await airlock(['list', '--from', asker]);
    if (all.out.split('\n').filter(Boolean).length === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(all.code, 0, all.err);
  const lines = all.out.trim().split('\n').sort();
  assert.equal(lines.length, 3, all.out);
  assert.match(lines[0] ?? '', new RegExp(`^exchange:${tag}-a  ${asker} -> ${research}  working `));
  assert.match(lines[0] ?? '', /RUNNING {2}started \d{4}-/);
  assert.match(lines[1] ?? '', new RegExp(`^exchange:${tag}-b  ${asker} -> ${billing}  completed`));

  const toBilling = await airlock(['list', '--from', asker, '--to', billing]);
  assert.deepEqual(
    toBilling.out
      .trim()
      .split('\n')
      .map((l) => l.split('  ')[0]),
    [`exchange:${tag}-b`],
  );
  const rejected = await airlock(['list', '--to', research, '--state', 'rejected', '--json']);
  assert.deepEqual(
    (JSON.parse(rejected.out) as { workflowId: string; state: string }[]).map((r) => [
      r.workflowId,
      r.state,
    ]),
    [[`exchange:${tag}-c`, 'rejected']],
  );
  assert.equal((await airlock(['list', '--to', 'nobody-here-' + tag])).out, 'no exchanges match\n');

  for (const bad of [
    ['list', '--state', 'lost'],
    ['list', '--from', 'a" OR WorkflowType != "x'],
    ['list', '--to', ''],
  ]) {
    const r = await airlock(bad);
    assert.equal(r.code, 2, bad.join(' '));
    assert.match(r.err, /^airlock exchanges: --(state|from|to) must be/);
  }
});

test('show prints the question, removals and approvals; the answer only when completed', async () => {
  await startExchange(`${tag}-w`, status({ state: 'rejected', reason: 'Sam rejected the answer' }));
  const r = await airlock(['show', `${tag}-w`]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      `exchange:${tag}-w`,
      `  from:           ${asker}`,
      `  to:             ${research}`,
      '  state:          rejected (step answer-approval)',
      '  reason:         Sam rejected the answer',
      `  target session: session:${research}:agent-${asker}`,
      '  started:        2025-01-02T03:04:05.000Z',
      '  question (sanitized; 1 removal):',
      '    What does the carrier say about damaged parcels?',
      '    removed instruction-override: "ignore previous instructions"',
      '  approvals:',
      '    question  action:exq-1  approved',
      '    answer    action:exa-1  pending',
      '  answer (sanitized; 1 removal, truncated):',
      '    withheld: the exchange is rejected, so the answer was not delivered',
      '    removed role-marker: "system:"',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(r.out, /Covered up to/);

  // Completed: the answer is shown, its control characters inert; the workflow id works too.
  const done = status({ state: 'completed', step: 'done', endedAt: '2025-01-03T00:00:00.000Z' });
  await startExchange(`${tag}-d`, done);
  const shown = await airlock(['show', `exchange:${tag}-d`]);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /\n {2}ended: {10}2025-01-03T00:00:00\.000Z\n/);
  assert.match(shown.out, /\n {4}Covered up to 100 EUR\.\\u001b\[2J\n/);
  assert.ok(!shown.out.includes('\u001b'), 'no escape character reaches the terminal');

  const missing = await airlock(['show', `${tag}-none`]);
  assert.equal(missing.code, 1);
  assert.equal(missing.err, `airlock exchanges: no exchange exchange:${tag}-none\n`);
  assert.equal((await airlock(['show', 'not an id'])).code, 2);
  assert.equal((await airlock(['show'])).code, 2);
});
