import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayFetch, mayTalk, resolveAgent } from '../../../src/policy/agents.ts';
import { loadPolicySet } from '../../../src/policy/load.ts';
import type { ApproverIdentity } from '../../../workflows/sensitive-action/messages.ts';
import { base, policyOf, problemAt, problemsOf, baseUsers } from './helpers.ts';

const model = `{ endpoint: 'http://127.0.0.1:4011/v1/', model: standin, apiKeyCredential: model-key }`;

// Line numbers matter below: the agents start on line 2.
const agents = `agents:
  - id: chat-bot
    displayName: Chat
    instructions: |
      Be brief.
    sensitivity: action
    model:
      endpoint: https://models.example.com/v1
      model: m-small
      allowedModels: [m-small, m-large]
      apiKeyCredential: model-key
      tokenBudget: 5000
    sandbox: { memoryMb: 1024, idleTimeout: 2h }
    capabilities: [refunds-api]
    credentials: [refunds-key]
    talkers: { users: [alice, dan], groups: [leads] }
  - id: web-bot
    sensitivity: research
    model: ${model}
    credentials: [model-key]
    web: { allowHosts: ['127.0.0.1:*', '*.example.com', Docs.Example.org] }
    talkers: { users: [dan] }
`;

test('a valid agent resolves with defaults, durations in ms and talkers expanded', () => {
  const { set, warnings } = policyOf(base, agents);
  const loopbackWildcard = '$.agents[1].web.allowHosts[0]'; // see web-hosts.test.ts
  assert.deepEqual(
    warnings.map((w) => w.path),
    [loopbackWildcard, loopbackWildcard],
  );
  assert.deepEqual(resolveAgent(set, 'chat-bot'), {
    id: 'chat-bot',
    displayName: 'Chat',
    description: null,
    instructions: 'Be brief.\n',
    sensitivity: 'action',
    model: {
      endpoint: 'https://models.example.com/v1',
      model: 'm-small',
      allowedModels: ['m-small', 'm-large'],
      apiKeyCredential: 'model-key',
      tokenBudget: 5000,
      maxSteps: 20,
      firstStepToolChoice: 'auto',
    },
    capabilities: ['refunds-api'],
    capabilityTools: [],
    credentials: ['refunds-key'],
    webAllowHosts: [],
    limits: { memoryMb: 1024, cpus: 1, pids: 256 },
    idleTimeoutMs: 2 * 3_600_000,
    memory: 'session',
    maxSessionsPerTalker: 5,
    talkers: [
      baseUsers.alice,
      { id: 'dan', displayName: 'Dan', slackUserId: 'UDAN' },
      baseUsers.bob,
      baseUsers.carol,
    ],
    mayAsk: [],
  });
  const web = resolveAgent(set, 'web-bot');
  assert.equal(web.displayName, 'web-bot');
  assert.equal(web.instructions, '');
  assert.deepEqual(web.model, {
    endpoint: 'http://127.0.0.1:4011/v1',
    model: 'standin',
    allowedModels: ['standin'],
    apiKeyCredential: 'model-key',
    tokenBudget: 200_000,
    maxSteps: 20,
    firstStepToolChoice: 'auto',
  });
  assert.deepEqual(web.credentials, [], 'the model key is the gateway’s, not the agent’s');
  assert.deepEqual(web.limits, { memoryMb: 512, cpus: 1, pids: 256 });
  assert.equal(web.idleTimeoutMs, 15 * 60_000);
  assert.deepEqual(
    web.talkers.map((t) => t.id),
    ['dan'],
  );
});

test('resolveAgent refuses an unknown agent and one without a model', () => {
  const { set } = policyOf(base, agents);
  assert.throws(() => resolveAgent(set, 'ghost'), { code: 'agent_unknown' });
  assert.throws(() => resolveAgent(set, 'support-bot'), { code: 'agent_no_model' });
});

test('the demo policy declares support-bot and research-bot, for Riley and the approvers', async () => {
  const { set, warnings } = await loadPolicySet('policies');
  assert.deepEqual(warnings, []);
  const support = resolveAgent(set, 'support-bot');
  const research = resolveAgent(set, 'research-bot');
  for (const agent of [support, research]) {
    assert.deepEqual(agent.model, {
      endpoint: 'http://127.0.0.1:4011/v1',
      model: 'airlock-standin',
      allowedModels: ['airlock-standin'],
      apiKeyCredential: 'model-api-key',
      tokenBudget: 200_000,
      maxSteps: 20,
      firstStepToolChoice: 'auto',
    });
    assert.deepEqual(
      agent.talkers.map((t) => t.id),
      ['riley', 'alice', 'bob'],
    );
    const riley = { platform: 'teams', userId: 'user-riley', displayName: 'Riley' } as const;
    assert.ok(
      mayTalk(agent, {
        ...riley,
        tenantId: '00000000-0000-0000-0000-0000000000aa',
        aadObjectId: '00000000-0000-0000-0000-0000000000cc',
      }),
    );
  }
  assert.equal(support.sensitivity, 'action');
  assert.deepEqual(support.capabilities, ['refunds-api', 'mcp:orders']);
  assert.deepEqual(support.webAllowHosts, []);
  assert.equal(research.sensitivity, 'research');
  assert.deepEqual(research.capabilities, []);
  assert.ok(mayFetch(research, new URL('http://127.0.0.1:4012/tracking')));
  assert.ok(!mayFetch(support, new URL('http://127.0.0.1:4012/tracking')));
});

test('mayTalk: a Teams talker needs the right tenant and AAD id, a Slack talker the user id', () => {
  const agent = resolveAgent(policyOf(base, agents).set, 'chat-bot');
  const teams = (tenantId: string | undefined, aadObjectId: string | undefined) =>
    ({ platform: 'teams', userId: '29:x', displayName: 'X', tenantId, aadObjectId }) as const;
  const slack = (userId: string): ApproverIdentity => ({
    platform: 'slack',
    userId,
    displayName: 'X',
  });
  assert.ok(mayTalk(agent, teams('t1', 'a-1')), 'alice, a user talker, in Teams');
  assert.ok(mayTalk(agent, slack('UDAN')), 'dan, a Slack-only user talker');
  assert.ok(mayTalk(agent, teams('t1', 'c-1')), 'carol, a member of the leads group');
  assert.ok(mayTalk(agent, slack('UBOB')), 'bob, a member of the leads group, in Slack');
  assert.ok(!mayTalk(agent, teams('t2', 'a-1')), 'alice’s AAD id in another tenant');
  assert.ok(!mayTalk(agent, teams(undefined, 'a-1')), 'no tenant');
  assert.ok(!mayTalk(agent, teams('t1', undefined)), 'no AAD id');
  assert.ok(!mayTalk(agent, { ...teams('t1', 'x-9'), userId: 'a-1' }), 'a stranger');
  assert.ok(!mayTalk(agent, slack('UMALLORY')), 'a Slack stranger');
  assert.ok(!mayTalk(agent, { platform: 'teams', userId: 'UDAN', displayName: 'Dan' }));
  assert.ok(!mayTalk(agent, { platform: 'slack', userId: 'a-1', displayName: 'Alice' }));
  const lonely = policyOf(
    base,
    `agents:\n  - { id: lonely, sensitivity: action, model: ${model} }`,
  );
  assert.ok(!mayTalk(resolveAgent(lonely.set, 'lonely'), teams('t1', 'a-1')), 'no talkers: nobody');
});

test('mayFetch: http(s) to an allow-listed host; ports only where the glob has one', () => {
  const web = resolveAgent(policyOf(base, agents).set, 'web-bot');
  const may = (url: string) => mayFetch(web, new URL(url));
  assert.ok(may('http://127.0.0.1:4012/page'));
  assert.ok(may('http://127.0.0.1/page'), '127.0.0.1:* covers the default port');
  assert.ok(may('https://www.example.com/a'));
  assert.ok(may('https://a.b.example.com:8443/a'), 'no port in the glob: any port');
  assert.ok(may('https://docs.example.org/'), 'host names compare lower-case');
  assert.ok(!may('https://example.com/'), '*.example.com needs a subdomain');
  assert.ok(!may('https://example.com.evil.net/'));
  assert.ok(!may('http://127.0.0.2:4012/'));
  assert.ok(!may('ftp://www.example.com/'));
  assert.ok(!may('https://user:pw@www.example.com/'));
  assert.ok(!may('http://localhost:4012/'));
});

test('agent problems are reported where they are written', () => {
  const problems = problemsOf(
    base,
    `agents:
  - id: nosy
    sensitivity: research
    model: { endpoint: 'http://127.0.0.1:4011/v1', model: m, apiKeyCredential: model-key }
    capabilities: [refunds-api]
    credentials: [model-key, refunds-key]
    talkers: { users: [alice, zed], groups: [leads, ghosts] }
  - id: clicky
    sensitivity: action
    model:
      endpoint: http://models.example.com/v1
      model: m-small
      allowedModels: [m-large]
      apiKeyCredential: model-key
    capabilities: [refunds-api, nope-api]
    credentials: [refunds-key]
    web: { allowHosts: [www.example.com] }
  - id: leaky
    sensitivity: action
    model: { endpoint: 'https://u:p@models.example.com/v1', model: m, apiKeyCredential: k }
    web: { allowHosts: ['https://www.example.com/'] }
  - { id: ftp-bot, sensitivity: action, model: { endpoint: 'ftp://models.example.com/v1', model: m, apiKeyCredential: k }, capabilities: [ghost-api] }
  - { id: nosy, sensitivity: action }
`,
  );
  const at = (pattern: RegExp) => problemAt(problems, pattern);
  assert.deepEqual(at(/endpoint must be http\(s\), not ftp:/), [
    'b.yaml',
    22,
    60,
    '$.agents[3].model.endpoint',
  ]);
  assert.deepEqual(at(/a research agent holds no capabilities \("refunds-api"\)/), [
    'b.yaml',
    5,
    20,
    '$.agents[0].capabilities[0]',
  ]);
  assert.deepEqual(at(/a research agent holds no credentials \("refunds-key"/), [
    'b.yaml',
    6,
    30,
    '$.agents[0].credentials[1]',
  ]);
  assert.deepEqual(at(/unknown user "zed"/), ['b.yaml', 7, 31, '$.agents[0].talkers.users[1]']);
  assert.deepEqual(at(/unknown group "ghosts"/), [
    'b.yaml',
    7,
    53,
    '$.agents[0].talkers.groups[1]',
  ]);
  assert.deepEqual(at(/endpoint must be https \(plain http only to loopback/), [
    'b.yaml',
    11,
    17,
    '$.agents[1].model.endpoint',
  ]);
  assert.deepEqual(at(/allowedModels must include model/), [
    'b.yaml',
    13,
    22,
    '$.agents[1].model.allowedModels',
  ]);
  assert.deepEqual(at(/unknown capability "nope-api"/), [
    'b.yaml',
    15,
    33,
    '$.agents[1].capabilities[1]',
  ]);
  assert.deepEqual(at(/an action agent reaches no web hosts/), [
    'b.yaml',
    17,
    24,
    '$.agents[1].web.allowHosts',
  ]);
  assert.deepEqual(at(/endpoint must not carry credentials/), [
    'b.yaml',
    20,
    24,
    '$.agents[2].model.endpoint',
  ]);
  assert.deepEqual(at(/a web host is a host or host:port glob/), [
    'b.yaml',
    21,
    25,
    '$.agents[2].web.allowHosts[0]',
  ]);
  assert.deepEqual(at(/duplicate agent "nosy" \(first defined at b\.yaml:2:9\)/), [
    'b.yaml',
    23,
    11,
    '$.agents[4].id',
  ]);
  // ftp-bot's model is invalid, yet its references are still checked (the model alone is dropped).
  assert.deepEqual(at(/unknown capability "ghost-api"/), [
    'b.yaml',
    22,
    139,
    '$.agents[3].capabilities[0]',
  ]);
  assert.equal(problems.length, 13, JSON.stringify(problems, null, 1));
});

test('an agent with a model and no talkers loads, with a warning at the agent', () => {
  const p = policyOf(
    base,
    `agents:\n  - id: lonely\n    sensitivity: action\n    model: ${model}\n  - { id: quiet, sensitivity: action, model: ${model}, talkers: { users: [] } }`,
  );
  assert.deepEqual(
    p.warnings.map((w) => [w.file, w.line, w.column, w.path, w.message]),
    [
      [
        'b.yaml',
        2,
        5,
        '$.agents[0].talkers',
        'nobody may talk to agent "lonely": name users or groups in talkers',
      ],
      [
        'b.yaml',
        5,
        143,
        '$.agents[1].talkers',
        'nobody may talk to agent "quiet": name users or groups in talkers',
      ],
    ],
  );
  assert.deepEqual(policyOf(base).warnings, [], 'agents without a model run nowhere: no warning');
});
