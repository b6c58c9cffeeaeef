// Rules over MCP tool calls: `capability: mcp:<server>`, `tool` (the same as `path: /<tool>`), and
// `when:` on the call's arguments (the request body).
import { test } from 'node:test';
import { base, problemsOf, theProblem } from './helpers.ts';

test('a rule may not give both tool and path', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: both, capability: mcp:orders, tool: query, path: /query, decision: allow }
`,
  );
  theProblem(problems, /give tool or path, not both/);
});

test('tool is for rules whose every capability is an MCP server', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: mixed, capability: [refunds-api], tool: query, decision: allow }
`,
  );
  theProblem(problems, /tool is for rules whose every capability is an MCP server/);
});

test('a tool name is an MCP tool name, a capability an id or mcp:<server id>', () => {
  const problems = problemsOf(
    base,
    `
rules:
  - { id: bad-tool, capability: mcp:orders, tool: "drop table", decision: allow }
  - { id: bad-cap, capability: "mcp:", decision: allow }
`,
  );
  theProblem(problems, /a tool is an MCP tool name/);
  theProblem(problems, /a capability is a capability id, or "mcp:<server id>"/);
});
