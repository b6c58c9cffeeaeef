import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadPolicySet } from '../../../src/policy/load.ts';
import type { PolicyInvalidError } from '../../../src/policy/problems.ts';
import { base, policyOf, problemAt, problemsOf, theProblem } from './helpers.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-policy-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

test('a directory merges every .yaml and .yml file in name order, ignoring others', async () => {
  const dir = await dirWith({
    '10-people.yml': base,
    '20-rules.yaml': 'rules: [{ id: first, decision: deny }]',
    '30-more.yaml': 'rules: [{ id: second, decision: allow }]',
    'notes.txt': 'not: [yaml',
    'schema.json': '{}',
    'examples/x.yaml': 'rules: [{ id: first, decision: allow }]',
  });
  const p = await loadPolicySet(dir);
  assert.deepEqual(
    p.files.map((f) => f.slice(dir.length + 1)),
    ['10-people.yml', '20-rules.yaml', '30-more.yaml'],
  );
  assert.deepEqual(
    p.set.rules.map((r) => r.id),
    ['first', 'second'],
  );
  assert.equal(p.set.agents.length, 2);
});

test('a single file is a policy set too', async () => {
  const dir = await dirWith({ 'one.yaml': `${base}\nrules: [{ id: r, decision: allow }]` });
  const p = await loadPolicySet(join(dir, 'one.yaml'));
  assert.deepEqual(p.files, [join(dir, 'one.yaml')]);
  assert.equal(p.set.rules.length, 1);
});

test('a missing path or a directory without policy files is a problem', async () => {
  const empty = await dirWith({ 'readme.md': '# nothing' });
  for (const [path, message] of [
    [join(empty, 'nope'), /no such file/],
    [empty, /no \*\.yaml or \*\.yml/],
  ] as const) {
    await assert.rejects(loadPolicySet(path), (err: PolicyInvalidError) => {
      assert.equal(err.code, 'policy_invalid');
      assert.equal(err.problems.length, 1);
      assert.equal(err.problems[0]?.file, path);
      assert.match(err.problems[0]?.message ?? '', message);
      return true;
    });
  }
});

test('the hash is stable, ignores key order and file splitting, and changes with content', () => {
  const rules = 'rules: [{ id: r, decision: allow, path: /refunds }]';
  const a = policyOf(base, rules);
  const b = policyOf(`${base}\n${rules}`);
  const reordered = policyOf(base, 'rules: [{ path: /refunds, decision: allow, id: r }]');
  assert.equal(a.hash, b.hash);
  assert.equal(a.hash, reordered.hash);
  assert.equal(a.hash, policyOf(base, rules).hash);
  assert.notEqual(a.hash, policyOf(base, rules.replace('allow', 'deny')).hash);
  // Rule order is part of the policy (first match), so it is part of the hash.
  const two = 'rules: [{ id: x, decision: allow }, { id: y, decision: deny }]';
  const swapped = 'rules: [{ id: y, decision: deny }, { id: x, decision: allow }]';
  assert.notEqual(policyOf(base, two).hash, policyOf(base, swapped).hash);
});

test('a YAML syntax error is reported with file, line and column', () => {
  const problems = problemsOf(base, {
    file: 'broken.yaml',
    text: 'rules:\n  - id: r\n    when: [a,\n',
  });
  assert.ok(problems.length >= 1);
  for (const p of problems) {
    assert.equal(p.file, 'broken.yaml');
    assert.match(p.message, /^YAML syntax error/);
    assert.ok(p.line >= 3, `line ${p.line}`);
  }
  const dup = problemsOf('agents:\n  - id: a\n    id: b\n    sensitivity: action\n');
  assert.match(dup[0]?.message ?? '', /YAML syntax error: Map keys must be unique/);
  assert.equal(dup[0]?.line, 3);
});

test('an unknown field is rejected at the key, in every object', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - id: r
    decision: approve
    aproval: { approvers: { users: [alice] } }
  - id: s
    decision: approve
    approval: { approvers: { users: [alice], roles: [x] } }
colour: red
`,
  );
  assert.deepEqual(problemAt(problems, /unknown field "aproval"/), [
    'b.yaml',
    5,
    5,
    '$.rules[0].aproval',
  ]);
  const nested = theProblem(problems, /unknown field "roles"/);
  assert.deepEqual(
    [nested.line, nested.column, nested.path],
    [8, 46, '$.rules[1].approval.approvers.roles'],
  );
  const section = theProblem(problems, /unknown section "colour" \(sections: settings, users/);
  assert.deepEqual([section.line, section.column, section.path], [9, 1, '$.colour']);
});

test('a rule naming an agent or capability that does not exist is rejected where it is named', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - id: r
    agent: [support-bot, ghost-bot]
    capability: ghost-api
    decision: allow
`,
  );
  assert.deepEqual(problemAt(problems, /unknown agent "ghost-bot"/), [
    'b.yaml',
    4,
    26,
    '$.rules[0].agent[1]',
  ]);
  const cap = theProblem(problems, /unknown capability "ghost-api"/);
  assert.deepEqual([cap.line, cap.column, cap.path], [5, 17, '$.rules[0].capability']);
});

test('a duplicate id is rejected, across files too, naming the first definition', () => {
  const problems = problemsOf(
    base,
    'rules: [{ id: r, decision: allow }]',
    { file: 'later.yaml', text: 'rules:\n  - id: r\n    decision: deny\n' },
    { file: 'more.yaml', text: 'agents:\n  - { id: support-bot, sensitivity: research }\n' },
  );
  assert.deepEqual(problemAt(problems, /duplicate rule "r" \(first defined at b\.yaml:1:15\)/), [
    'later.yaml',
    2,
    9,
    '$.rules[0].id',
  ]);
  const agent = theProblem(problems, /duplicate agent "support-bot" \(first defined at a\.yaml:/);
  assert.equal(agent.file, 'more.yaml');
});

test('a bad duration is rejected with its location; only "30s", "15m", "4h", "3d" forms pass', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - id: r
    decision: approve
    approval:
      approvers: { users: [alice] }
      remindEvery: 90
      expiry: { after: 1.5h }
      escalation: [{ after: 400d, approvers: { users: [bob] } }]
      grants: [duration]
      grantMaxDuration: 4 hours
`,
  );
  const at = (path: string) => problems.find((p) => p.path === path);
  assert.match(at('$.rules[0].approval.remindEvery')?.message ?? '', /a duration is a string/);
  assert.equal(at('$.rules[0].approval.remindEvery')?.line, 7);
  assert.match(at('$.rules[0].approval.expiry.after')?.message ?? '', /whole number and one unit/);
  assert.deepEqual(
    [at('$.rules[0].approval.expiry.after')?.line, at('$.rules[0].approval.expiry.after')?.column],
    [8, 24],
  );
  assert.match(at('$.rules[0].approval.escalation[0].after')?.message ?? '', /at most 365d/);
  assert.match(
    at('$.rules[0].approval.grantMaxDuration')?.message ?? '',
    /whole number and one unit/,
  );
  assert.equal(problems.length, 4);
});

test('every problem in every file is reported at once', () => {
  const problems = problemsOf(
    base,
    { file: 'syntax.yaml', text: 'rules: [\n' },
    {
      file: 'mixed.yaml',
      text: `
rules:
  - { id: a, agent: nobody, decision: allow }
  - { id: b, decision: allow, extra: 1, capability: no-such-api }
  - { id: c, decision: approve, approval: { approvers: { users: [alice] }, expiry: { after: 2 weeks } } }
  - { id: a, decision: deny }
`,
    },
  );
  const files = new Set(problems.map((p) => p.file));
  assert.deepEqual([...files], ['syntax.yaml', 'mixed.yaml']);
  theProblem(problems, /unknown agent "nobody"/);
  theProblem(problems, /unknown field "extra"/);
  // An item with a problem still has its references checked.
  theProblem(problems, /unknown capability "no-such-api"/);
  theProblem(problems, /duplicate rule "a"/);
  assert.ok(problems.some((p) => p.path === '$.rules[2].approval.expiry.after'));
  // Sorted by file as given, then by line.
  const mixed = problems.filter((p) => p.file === 'mixed.yaml').map((p) => p.line);
  assert.deepEqual(
    mixed,
    [...mixed].sort((x, y) => x - y),
  );
});

test('approval settings that cannot work are rejected', () => {
  const problems = problemsOf(
    base,
    `
users: [{ id: tess, displayName: Tess, tenantId: t1, aadObjectId: t-1 }]
rules:
  - id: too-many
    decision: approve
    approval: { approvers: { users: [alice, bob] }, quorum: 3, rejectionsToDeny: 3 }
  - id: escalation-order
    decision: approve
    approval:
      approvers: { users: [alice] }
      expiry: { after: 2h }
      escalation:
        - { after: 1h, approvers: { users: [bob] } }
        - { after: 30m, approvers: { users: [carol] } }
        - { after: 3h, approvers: { groups: [leads] } }
  - id: no-teams-identity
    decision: approve
    approval: { approvers: { users: [dan] } }
  - id: no-slack-identity
    decision: approve
    approval:
      approvers: { users: [tess] }
      cards: { slack: { directMessages: true } }
  - id: missing
    decision: approve
    approval: { approvers: { users: [zed], groups: [nobody] } }
  - id: approve-without-approval
    decision: approve
  - id: allow-with-approval
    decision: allow
    approval: { approvers: { users: [alice] } }
  - id: duration-without-max
    decision: approve
    approval: { approvers: { users: [alice] }, grants: [once, duration] }
  - id: empty-approvers
    decision: approve
    approval: { approvers: {} }
  - id: nowhere
    decision: approve
    approval: { approvers: { users: [alice] }, cards: { teams: {} } }
`,
  );
  theProblem(problems, /quorum 3 is more than the 2 approver/);
  theProblem(problems, /rejectionsToDeny 3 is more than the 2 approver/);
  theProblem(problems, /escalation levels must come later/);
  assert.equal(problems.filter((p) => /before the request expires/.test(p.message)).length, 1);
  const dm = theProblem(problems, /approver "dan" has no Teams identity/);
  assert.equal(dm.path, '$.rules[2].approval.approvers');
  theProblem(problems, /approver "tess" has no slackUserId/);
  theProblem(problems, /unknown user "zed"/);
  theProblem(problems, /unknown group "nobody"/);
  assert.equal(
    problems.filter((p) => /approval is required when decision is "approve"/.test(p.message))
      .length,
    2,
  );
  theProblem(problems, /grantMaxDuration is required/);
  theProblem(problems, /name at least one user or group/);
  theProblem(problems, /send Teams cards to a channel, DMs or both/);
});

test('agents, capabilities, users, groups, links and settings are checked too', () => {
  const problems = problemsOf(
    base,
    `
settings: { timeZone: Mars/Olympus }
users:
  - { id: eve, displayName: Eve, tenantId: t1, slackUserId: UEVE }
  - { id: nobody-reachable, displayName: N }
groups:
  - { id: ghosts, members: [casper] }
agents:
  - { id: a1, sensitivity: action, capabilities: [refunds-api, nope-api], credentials: [] }
  - { id: a2, sensitivity: research, mayAsk: [a1, a3] }
  - { id: a3, sensitivity: clever }
capabilities:
  - { id: with-path, baseUrl: 'https://api.example.com/v1', methods: [GET], paths: [/x], credential: k }
  - { id: ftp, baseUrl: 'ftp://files.example.com', methods: [GET], paths: [x], credential: k }
rules:
  - { id: bad-method, capability: refunds-api, method: DELETE, decision: allow }
  - { id: bad-condition, when: [{ field: amount }], decision: allow }
  - { id: bad-window, during: { from: '25:00', to: '09:00' }, decision: allow }
links:
  - { from: a2, to: a1, approveQuestion: false, approveAnswer: false }
  - { from: a2, to: a1, approveQuestion: false, approveAnswer: false }
  - { from: support-bot, to: a1, approveQuestion: false, approveAnswer: false, sanitizer: paranoid }
  - { from: a1, to: support-bot, approveQuestion: false, approveAnswer: false }
`,
    { file: 'c.yaml', text: 'settings: { timeZone: UTC }' },
  );
  theProblem(problems, /unknown IANA time zone/);
  theProblem(problems, /tenantId and aadObjectId go together/);
  theProblem(problems, /or this user can never approve/);
  theProblem(problems, /unknown user "casper"/);
  theProblem(problems, /unknown capability "nope-api"/);
  theProblem(problems, /uses credential "refunds-key", which is not in this agent's credentials/);
  theProblem(problems, /no link a2 -> a3 says how questions cross/);
  theProblem(problems, /expected one of "research"\|"action"/);
  assert.equal(problems.filter((p) => /baseUrl is http\(s\):\/\/host/.test(p.message)).length, 2);
  theProblem(problems, /a path pattern starts with "\/"/);
  theProblem(problems, /no capability of this rule allows method DELETE/);
  theProblem(problems, /a condition needs at least one of/);
  theProblem(problems, /a time of day is "HH:MM"/);
  theProblem(problems, /duplicate link "a2 -> a1"/);
  theProblem(problems, /expected one of "lenient"\|"standard"\|"strict"/);
  theProblem(problems, /agent "a1" may not ask "support-bot"/);
  const twice = theProblem(problems, /settings\.timeZone is already set in b\.yaml/);
  assert.equal(twice.file, 'c.yaml');
});

test('agent fields are checked where they are written: durations, limits, unknown keys', () => {
  const problems = problemsOf(
    base,
    `agents:
  - id: boxed
    sensitivity: action
    sandbox: { memoryMb: 4, idleTimeout: 90, timeout: 15m }
    model: { endpoint: https://m.example.com/v1, model: m, apiKeyCredential: k, tokenBudget: 0 }
    talkers: { roles: [admins] }
`,
  );
  const at = (path: string) => {
    const found = problems.filter((p) => p.path === path);
    assert.equal(found.length, 1, `${path} in ${JSON.stringify(problems, null, 1)}`);
    return [found[0]!.line, found[0]!.column, found[0]!.message];
  };
  assert.deepEqual(at('$.agents[0].sandbox.memoryMb').slice(0, 2), [4, 26]);
  assert.deepEqual(at('$.agents[0].sandbox.idleTimeout'), [
    4,
    42,
    'a duration is a string such as "30s", "15m", "4h" or "3d"',
  ]);
  assert.deepEqual(at('$.agents[0].sandbox.timeout'), [4, 46, 'unknown field "timeout"']);
  assert.deepEqual(at('$.agents[0].model.tokenBudget').slice(0, 2), [5, 94]);
  assert.deepEqual(at('$.agents[0].talkers.roles'), [6, 16, 'unknown field "roles"']);
  assert.equal(problems.length, 5);
});

test('a file that is not a mapping of sections is rejected', () => {
  const problems = problemsOf('- just\n- a list\n');
  assert.match(problems[0]?.message ?? '', /a policy file is a mapping of sections/);
  assert.equal(policyOf('', '# only a comment\n').set.rules.length, 0);
});
