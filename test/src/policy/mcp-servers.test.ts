// The `mcpServers` section: a stdio command or a streamable-HTTP URL (one of them), credentials as
// environment variables or headers, `${VAR}` arguments, granted tools, pins and a per-call timeout;
// an action agent holds a server as `mcp:<id>`, a research agent never does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentHash } from '../../../src/policy/hash.ts';
import { policyOf, problemAt, problemsOf, theProblem } from './helpers.ts';

const agent = (sensitivity: string, capabilities: string, credentials = '[orders-db]') => `
agents:
  - id: support-bot
    sensitivity: ${sensitivity}
    capabilities: ${capabilities}
    credentials: ${credentials}
`;

const orders = `
mcpServers:
  - id: orders
    description: The orders database
    command:
      command: mcp-server-postgres
      args: ['\${DATABASE_URL}']
    credentials: { env: { DATABASE_URL: orders-db } }
    tools: [query]
`;

test('an action agent holds an MCP server as mcp:<id>; defaults fill in', () => {
  const policy = policyOf(agent('action', '[mcp:orders]'), orders);
  const [server] = policy.set.mcpServers;
  assert.deepEqual(server, {
    id: 'orders',
    description: 'The orders database',
    command: { command: 'mcp-server-postgres', args: ['${DATABASE_URL}'], env: {} },
    credentials: { env: { DATABASE_URL: 'orders-db' }, headers: {} },
    tools: ['query'],
    trusted: false,
    pins: {},
    timeout: 30_000,
  });
  assert.deepEqual(policy.set.agents[0]?.capabilities, ['mcp:orders']);
  assert.deepEqual(policy.warnings, []);
});

test('a set without MCP servers hashes as it did before the section existed', () => {
  const without = policyOf(agent('action', '[]', '[]'));
  const withServer = policyOf(agent('action', '[mcp:orders]'), orders);
  assert.deepEqual(without.set.mcpServers, []);
  // The hash of the same set written before `mcpServers` was a section (no key at all).
  assert.equal(without.hash, contentHash({ ...without.set, mcpServers: undefined }));
  assert.notEqual(withServer.hash, contentHash({ ...withServer.set, mcpServers: undefined }));
});

test('an unknown server, a research agent and a missing credential are refused where written', () => {
  const problems = problemsOf(agent('action', '[mcp:ghost]'), orders);
  assert.deepEqual(problemAt(problems, /unknown MCP server "ghost"/), [
    'a.yaml',
    5,
    20,
    '$.agents[0].capabilities[0]',
  ]);
  theProblem(
    problemsOf(agent('research', '[mcp:orders]', '[]'), orders),
    /a research agent holds no MCP servers \("mcp:orders"\)/,
  );
  theProblem(
    problemsOf(agent('action', '[mcp:orders]', '[]'), orders),
    /MCP server "orders" uses credential "orders-db", which is not in this agent's credentials/,
  );
  theProblem(
    problemsOf(agent('action', '["mcp:"]')),
    /a capability is an id, or "mcp:<server id>"/,
  );
});

test('a server is exactly one of command or url, and its credentials fit the transport', () => {
  const server = (body: string) => `
mcpServers:
  - id: s
    tools: [t]
${body}`;
  theProblem(problemsOf(server('')), /exactly one of command \(stdio\) or url/);
  theProblem(
    problemsOf(server('    url: https://mcp.example.com/mcp\n    command: { command: x }')),
    /exactly one of command \(stdio\) or url/,
  );
  theProblem(
    problemsOf(server('    url: http://mcp.example.com/mcp')),
    /url must be https \(plain http only to loopback/,
  );
  assert.equal(
    policyOf(server('    url: http://127.0.0.1:3000/mcp')).set.mcpServers[0]?.url,
    'http://127.0.0.1:3000/mcp',
  );
  theProblem(
    problemsOf(server('    url: https://u:p@mcp.example.com/mcp')),
    /url must not carry credentials/,
  );
  theProblem(
    problemsOf(
      server('    url: https://mcp.example.com/mcp\n    credentials: { env: { TOKEN: t } }'),
    ),
    /credentials.env is for stdio servers/,
  );
  theProblem(
    problemsOf(server('    command: { command: x }\n    credentials: { headers: { X-Key: t } }')),
    /credentials.headers is for HTTP servers/,
  );
  theProblem(
    problemsOf(server('    command: { command: ./bin/server }')),
    /command is a bare name .* or an absolute path/,
  );
  theProblem(
    problemsOf(
      server(
        '    command: { command: x, env: { A: "1" } }\n    credentials: { env: { A: secret-a } }',
      ),
    ),
    /a variable is set both in command.env and credentials.env/,
  );
});

test('arguments name only declared variables; pins only granted tools; timeout within bounds', () => {
  const server = (body: string) => `
mcpServers:
  - id: s
    command: { command: /usr/bin/server, args: ['--url=\${URL}', '\${NOPE}'], env: { URL: x } }
    tools: [t]
${body}`;
  assert.deepEqual(
    problemsOf(server('')).map((p) => [p.path, p.message]),
    [
      [
        '$.mcpServers[0].command.args[1]',
        '${NOPE} names no variable of command.env or credentials.env',
      ],
    ],
  );
  const ok = (body: string) =>
    policyOf(
      `
mcpServers:
  - id: s
    command: { command: /usr/bin/server }
    tools: [t]
${body}`,
    ).set.mcpServers[0];
  const hash = 'a'.repeat(64);
  assert.deepEqual(ok(`    pins: { t: ${hash} }\n    timeout: 5s`)?.pins, { t: hash });
  assert.equal(ok('    timeout: 5s')?.timeout, 5000);
  theProblem(
    problemsOf(`
mcpServers:
  - { id: s, command: { command: x }, tools: [t], pins: { u: ${hash} } }`),
    /pins names "u", which is not in tools/,
  );
  theProblem(
    problemsOf(`
mcpServers:
  - { id: s, command: { command: x }, tools: [t], pins: { t: ABC } }`),
    /a pin is a sha256 in lower-case hex/,
  );
  theProblem(
    problemsOf(`
mcpServers:
  - { id: s, command: { command: x }, tools: [t], timeout: 2h }`),
    /timeout is between 1s and 60m/,
  );
});

test('duplicate servers are refused; a server granting no tool is a warning', () => {
  theProblem(
    problemsOf(orders, orders),
    /duplicate MCP server "orders" \(first defined at a.yaml:3:9\)/,
  );
  const policy = policyOf(`
mcpServers:
  - { id: s, command: { command: x } }`);
  assert.match(policy.warnings[0]?.message ?? '', /MCP server "s" grants no tools/);
});
