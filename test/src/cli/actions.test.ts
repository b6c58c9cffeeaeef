// `airlock actions request` and `airlock approvals list|show` against the real dev server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { requestAction } from '../../../src/actions/request.ts';
import type { ActionRequest } from '../../../workflows/sensitive-action/request.ts';
import { envFor, repoRoot } from '../../helpers/temporal.ts';
import { actionFixture, type ActionFixture } from '../../helpers/actions.ts';

let fx: ActionFixture;
let worker: { stop(): Promise<void> };
let env: Record<string, string | undefined>;
before(async () => {
  fx = await actionFixture();
  worker = await fx.startWorker();
  env = envFor(fx.config);
});
after(async () => {
  await worker?.stop();
  await fx?.close();
});

test('actions request prints the workflow id; the same request id twice is one workflow', async () => {
  const id = `cli-${process.pid}-${Date.now()}`;
  const body = join(fx.dir, 'body.json');
  writeFileSync(body, JSON.stringify({ amount: 500, order: id }));
  const args = [
    'actions',
    'request',
    '--agent',
    'support-bot',
    '--capability',
    'refunds-api',
    '--method',
    'post',
    '--path',
    '/refunds',
    '--body',
    body,
    '--request-id',
    id,
  ];
  let io = bufferIo();
  assert.equal(await main(args, io, env), 0, io.err);
  assert.equal(io.out, `action:${id}\n`);
  io = bufferIo();
  assert.equal(await main(args, io, env), 0, io.err);
  assert.equal(io.out, `action:${id}\n`);

  // Wait until it is pending, then list and show it.
  let rows: { workflowId: string; state: string }[] = [];
  for (let i = 0; i < 100 && !rows.some((r) => r.workflowId === `action:${id}`); i++) {
    io = bufferIo();
    assert.equal(
      await main(['approvals', 'list', '--state', 'pending', '--json'], io, env),
      0,
      io.err,
    );
    rows = JSON.parse(io.out) as typeof rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(rows.some((r) => r.workflowId === `action:${id}` && r.state === 'pending'));
  io = bufferIo();
  assert.equal(await main(['approvals', 'show', `action:${id}`], io, env), 0, io.err);
  assert.match(io.out, /pending: Waiting for approval \(rule refunds-large\)/);
  await fx.client.workflow.getHandle(`action:${id}`).terminate('test done');
});

test('missing flags and a non-JSON body are clear errors with exit 2', async () => {
  let io = bufferIo();
  assert.equal(await main(['actions', 'request', '--agent', 'support-bot'], io, env), 2);
  assert.match(io.err, /missing --capability, --method, --path/);
  const body = join(fx.dir, 'bad.json');
  writeFileSync(body, 'amount=5');
  io = bufferIo();
  assert.equal(
    await main(
      [
        'actions',
        'request',
        '--agent',
        'a',
        '--capability',
        'c',
        '--method',
        'GET',
        '--path',
        '/',
        '--body',
        body,
      ],
      io,
      env,
    ),
    2,
  );
  assert.match(io.err, /--body must be a JSON file/);
});

test('./airlock in a checkout reads the settings make up chose: an operator shell decrypts runs', async () => {
  const { workflowId } = await requestAction(fx.client, fx.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 700, order: `SHELL-${process.pid}` },
  });
  // A plain operator shell: none of Airlock's settings but the test namespace.
  const shell: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'] };
  if (process.env['TEMPORAL_NAMESPACE'])
    shell['TEMPORAL_NAMESPACE'] = process.env['TEMPORAL_NAMESPACE'];
  const child = spawn(join(repoRoot, 'airlock'), ['approvals', 'show', workflowId], {
    cwd: repoRoot,
    env: shell,
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, out);
  assert.match(out, new RegExp(`SHELL-${process.pid}`), 'the encrypted request shows in clear');
});

test('actions request names its requester: the OS user by default, --requester otherwise', async () => {
  const base = ['actions', 'request', '--agent', 'support-bot', '--capability', 'refunds-api'];
  const requesterOf = async (extra: string[]) => {
    const id = `cli-who-${process.pid}-${Date.now()}-${extra.length}`;
    const body = join(fx.dir, `${id}.json`);
    writeFileSync(body, JSON.stringify({ amount: 500, order: id }));
    let io = bufferIo();
    const args = [...base, '--method', 'POST', '--path', '/refunds', '--body', body];
    assert.equal(await main([...args, '--request-id', id, ...extra], io, env), 0, io.err);
    io = bufferIo();
    assert.equal(await main(['approvals', 'show', `action:${id}`, '--json'], io, env), 0, io.err);
    await fx.client.workflow
      .getHandle(`action:${id}`)
      .terminate('test done')
      .catch(() => undefined);
    return (JSON.parse(io.out) as { request: ActionRequest }).request.requester;
  };
  const login = userInfo().username;
  assert.deepEqual(await requesterOf([]), { platform: 'cli', userId: login, displayName: login });
  assert.deepEqual(await requesterOf(['--requester', 'riley']), {
    platform: 'cli',
    userId: 'riley',
    displayName: 'riley',
  });
});
