// `airlock mcp list` against the test MCP server: every tool it lists, granted or not, the
// description hash a pin takes, a pinned tool whose description changed shown as held, a granted
// tool the server does not offer, and for each agent holding the server the rule a call falls under
// (whatever the policy evaluator says for the probe request).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bufferIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { ServerReport } from '../../../src/cli/mcp-list.ts';
import { evaluate } from '../../../src/policy/evaluate.ts';
import { loadPolicySet } from '../../../src/policy/load.ts';
import { FileCredentialStore } from '../../../src/vault/file-store.ts';
import { anyScope, tempVault, testServerScript } from '../../helpers/mcp-servers/servers.ts';

const store = tempVault();
const policyDir = join(store.dir, 'policies');
const stale = 'f'.repeat(64);
let env: Record<string, string>;

before(async () => {
  mkdirSync(policyDir);
  writeFileSync(
    join(policyDir, 'mcp.yaml'),
    `
agents:
  - id: support-bot
    sensitivity: action
    capabilities: ['mcp:t']
    credentials: [test-token]
mcpServers:
  - id: t
    description: The test server
    command:
      command: ${process.execPath}
      args: [${testServerScript}, '--token=\${TEST_TOKEN}']
    credentials: { env: { TEST_TOKEN: test-token } }
    tools: [echo, rug, ghost]
    pins: { rug: ${stale} }
`,
  );
  const key = Buffer.alloc(32, 7);
  const vault = new FileCredentialStore({
    path: join(store.dir, 'vault.json'),
    keys: { active: key },
  });
  await vault.put({ name: 'test-token', kind: 'bearer', scope: anyScope, secret: 'tok-cli-123' });
  env = {
    AIRLOCK_DATA_DIR: store.dir,
    AIRLOCK_VAULT_KEY: key.toString('base64'),
    AIRLOCK_POLICY_DIR: policyDir,
  };
});
after(() => store.remove());

test('airlock mcp list shows granted, ungranted, held and missing tools with hashes and rules', async () => {
  const io = bufferIo();
  const code = await main(['mcp', 'list'], io, env);
  assert.equal(code, 0, io.err);
  assert.match(io.out, /^t {2}stdio \/.*node {2}\(untrusted: results sanitized; timeout 30s\)$/m);
  assert.match(io.out, /^ {2}agents: support-bot$/m);
  assert.match(
    io.out,
    /^ {2}- echo: granted \(first description seen by each worker is accepted\)$/m,
  );
  assert.match(io.out, /^ {2}- hidden: not granted \(never shown, never called\)$/m);
  assert.match(
    io.out,
    new RegExp(
      `^  - rug: granted, HELD: the server lists [0-9a-f]{64}, the policy pins ${stale}$`,
      'm',
    ),
  );
  assert.match(io.out, /^ {2}- ghost: granted, not offered by the server$/m);
  assert.match(io.out, /^ {6}support-bot: (allow|deny|approve)/m);
  assert.ok(!io.out.includes('tok-cli-123') && !io.err.includes('tok-cli-123'));
});

test('--json: the same report, each rule what the evaluator gives the probe request', async () => {
  const io = bufferIo();
  assert.equal(await main(['mcp', 'list', '--json', '--server', 't'], io, env), 0, io.err);
  const { servers } = JSON.parse(io.out) as { servers: ServerReport[] };
  const tools = servers[0]?.tools ?? [];
  const echo = tools.find((t) => t.name === 'echo');
  assert.equal(echo?.granted, true);
  assert.match(echo?.descriptionHash ?? '', /^[0-9a-f]{64}$/);
  const policy = await loadPolicySet(policyDir);
  const expected = evaluate(
    policy,
    { agent: 'support-bot', capability: 'mcp:t', method: 'POST', path: '/echo', body: {} },
    new Date(),
  );
  assert.deepEqual(echo?.rules, [
    {
      agent: 'support-bot',
      decision: expected.decision,
      rule: expected.rule,
      reason: expected.reason,
    },
  ]);
  assert.deepEqual(tools.find((t) => t.name === 'hidden')?.rules, []);
  assert.equal(tools.find((t) => t.name === 'rug')?.held, true);
});

test('an unknown server or command is refused with a clear message', async () => {
  const io = bufferIo();
  assert.equal(await main(['mcp', 'list', '--server', 'nope'], io, env), 1);
  assert.match(io.err, /no MCP server "nope" in the policy/);
  const bad = bufferIo();
  assert.equal(await main(['mcp', 'show'], bad, env), 2);
  assert.match(bad.err, /unknown command "show"/);
});
