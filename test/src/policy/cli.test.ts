import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-policy-cli-'));
  await writeFile(
    join(dir, 'bad.yaml'),
    'rules:\n  - id: r\n    agent: ghost\n    decision: allow\n    colour: red\n',
  );
  await writeFile(
    join(dir, 'refund.json'),
    JSON.stringify({
      agent: 'support-bot',
      capability: 'refunds-api',
      method: 'POST',
      path: '/refunds',
      body: { amount: 120 },
    }),
  );
});
after(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[], stdin = '') {
  const io = bufferIo(stdin);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

test('airlock help lists the policy group', async () => {
  const { code, out } = await run(['help']);
  assert.equal(code, 0);
  assert.match(out, /airlock policy +check policy sets/);
});

test('policy check prints a one-line summary with counts and hash, exit 0', async () => {
  const { code, out, err } = await run(['policy', 'check', 'policies']);
  assert.equal(code, 0, err);
  assert.match(
    out,
    /^ok policies \(1 file\): 2 agents, 1 capabilities, 3 rules, 2 links, 4 users, 1 groups; hash [0-9a-f]{64}\n/,
  );
  // What each agent's memory scope lets one person's session read of another's.
  assert.match(out, /\n {2}support-bot: memory: session — each conversation has its own workspace/);
  assert.match(out, /\n {2}research-bot: memory: session/);
  assert.equal(err, '');
});

test('policy check says what talker and agent memory let a session read; agent is a warning', async () => {
  const policy = join(dir, 'memory');
  await mkdir(policy);
  const yaml = (await readFile('policies/airlock.yaml', 'utf8'))
    .replace(/(\n {2}- id: support-bot\n)/, '$1    memory: talker\n')
    .replace(/(\n {2}- id: research-bot\n)/, '$1    memory: agent\n');
  assert.match(yaml, /memory: talker/);
  assert.match(yaml, /memory: agent/);
  await writeFile(join(policy, 'airlock.yaml'), yaml);
  const { code, out, err } = await run(['policy', 'check', policy]);
  assert.equal(code, 0, err);
  assert.match(out, /support-bot: memory: talker — one person’s conversations share a workspace/);
  assert.match(out, /research-bot: memory: agent — every conversation shares one workspace/);
  assert.match(err, /warning.*memory: agent — .*can read what another person’s wrote/);
  assert.doesNotMatch(err, /memory: talker/);
});

test('policy check defaults to AIRLOCK_POLICY_DIR', async () => {
  const saved = process.env.AIRLOCK_POLICY_DIR;
  process.env.AIRLOCK_POLICY_DIR = 'policies/examples/production-deploys';
  try {
    const { code, out } = await run(['policy', 'check']);
    assert.equal(code, 0);
    assert.match(out, /^ok policies\/examples\/production-deploys \(1 file\): 1 agents/);
  } finally {
    if (saved === undefined) delete process.env.AIRLOCK_POLICY_DIR;
    else process.env.AIRLOCK_POLICY_DIR = saved;
  }
});

test('policy check takes several paths and fails when any is invalid, listing every problem', async () => {
  const { code, out, err } = await run([
    'policy',
    'check',
    'policies/examples/finance-payments',
    join(dir, 'bad.yaml'),
  ]);
  assert.equal(code, 1);
  assert.match(out, /^ok policies\/examples\/finance-payments \(2 files\)/);
  const bad = join(dir, 'bad.yaml');
  assert.equal(
    err,
    `${bad}:3:12: $.rules[0].agent: unknown agent "ghost"\n` +
      `${bad}:5:5: $.rules[0].colour: unknown field "colour"\n` +
      `invalid ${bad}: 2 problems\n`,
  );
  assert.equal((await run(['policy', 'check', join(dir, 'missing')])).code, 1);
});

test('policy check warns about an agent nobody may talk to, and still passes', async () => {
  const file = join(dir, 'lonely.yaml');
  await writeFile(
    file,
    'agents:\n  - id: lonely\n    sensitivity: research\n' +
      '    model: { endpoint: https://models.example.com/v1, model: m, apiKeyCredential: k }\n',
  );
  const { code, out, err } = await run(['policy', 'check', file]);
  assert.equal(code, 0, err);
  assert.match(out, /^ok .*lonely\.yaml \(1 file\): 1 agents/);
  assert.equal(
    err,
    `${file}:2:5: $.agents[0].talkers: warning: nobody may talk to agent "lonely": name users or groups in talkers\n`,
  );
});

test('policy explain reads a request file and prints the decision as JSON', async () => {
  const { code, out } = await run(['policy', 'explain', '--request', join(dir, 'refund.json')]);
  assert.equal(code, 0);
  const decision = JSON.parse(out) as Record<string, unknown>;
  assert.equal(decision.decision, 'approve');
  assert.equal(decision.rule, 'refunds-large');
  assert.match(String(decision.reason), /requires approval/);
  assert.match(String(decision.policyHash), /^[0-9a-f]{64}$/);
  assert.deepEqual(
    (decision.approvers as { id: string }[]).map((a) => a.id),
    ['alice', 'bob'],
  );
  assert.equal(decision.quorum, 1);
  assert.deepEqual(decision.expiry, { afterMs: 259_200_000, outcome: 'deny' });
});

test('policy explain reads the request from stdin with --request -, honouring --policy and --at', async () => {
  const request = JSON.stringify({
    agent: 'deploy-bot',
    capability: 'github-deployments',
    method: 'POST',
    path: '/repos/acme/web/deployments',
    body: { environment: 'production' },
  });
  const args = [
    'policy',
    'explain',
    '--request',
    '-',
    '--policy',
    'policies/examples/production-deploys',
  ];
  const weekday = await run([...args, '--at', '2025-06-04T08:00:00Z'], request);
  assert.equal(weekday.code, 0, weekday.err);
  assert.equal((JSON.parse(weekday.out) as { rule: string }).rule, 'production-office-hours');
  const sunday = await run([...args, '--at', '2025-06-08T08:00:00Z'], request);
  assert.deepEqual(
    [
      (JSON.parse(sunday.out) as { decision: string; rule: string }).decision,
      (JSON.parse(sunday.out) as { rule: string }).rule,
    ],
    ['deny', 'production-change-freeze'],
  );
});

test('policy explain rejects bad input with exit 1 and bad usage with exit 2', async () => {
  const explain = ['policy', 'explain', '--request', '-'];
  const notJson = await run(explain, '{oops');
  assert.equal(notJson.code, 1);
  assert.match(notJson.err, /stdin is not JSON/);
  const incomplete = await run(explain, JSON.stringify({ agent: 'support-bot', method: 'POST' }));
  assert.equal(incomplete.code, 1);
  assert.match(incomplete.err, /stdin: \$\.capability: /);
  assert.match(incomplete.err, /stdin: \$\.path: /);
  const badPolicy = await run(
    [...explain, '--policy', join(dir, 'bad.yaml')],
    '{"agent":"a","capability":"c","method":"GET","path":"/"}',
  );
  assert.equal(badPolicy.code, 1);
  assert.match(badPolicy.err, /unknown agent "ghost"/);
  assert.equal((await run(['policy', 'explain'])).code, 2);
  const badTime = await run([...explain, '--at', 'yesterday'], '{}');
  assert.equal(badTime.code, 2);
  assert.match(badTime.err, /not an ISO date-time/);
  const unknownOption = await run(['policy', 'check', '--fast']);
  assert.equal(unknownOption.code, 2);
  assert.match(unknownOption.err, /Unknown option '--fast'/);
  assert.equal((await run(['policy', 'frobnicate'])).code, 2);
  assert.equal((await run(['policy'])).code, 2);
  assert.equal((await run(['policy', 'help'])).code, 0);
});
