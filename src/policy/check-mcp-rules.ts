// Cross-file checks for rules over MCP tool calls: a rule naming `mcp:<id>` names a declared
// server; its tools (`tool`, or `path: /<tool>`) are ones the server grants, or the rule never
// matches anything (a warning: the tool may be granted later); and an MCP call is always a POST.
import { globMatch } from '../glob.ts';
import type { Reporter } from './check-agents.ts';
import type { Collected } from './collected.ts';
import { mcpPrefix } from './mcp-schema.ts';

/** Check the `mcp:` capabilities of every rule of `c`, reporting through `r`. */
export function checkMcpRules(c: Collected, r: Reporter): void {
  const server = (id: string) => c.mcpServers.find((e) => e.value.id === id)?.value;
  for (const { value: rule, at } of c.rules) {
    const names = rule.capability ?? [];
    names.forEach((name, i) => {
      if (!name.startsWith(mcpPrefix)) return;
      const id = name.slice(mcpPrefix.length);
      r.ref(at, 'capability', i, 'mcpServers', id);
      const s = server(id);
      if (!s) return;
      const tools = rule.tool ?? rule.path?.map((p) => p.slice(1));
      for (const tool of tools ?? []) {
        if (s.tools.some((granted) => globMatch(tool, granted))) continue;
        r.warn(
          at,
          [rule.tool ? 'tool' : 'path'],
          `MCP server "${id}" grants no tool "${tool}" (its tools: ${s.tools.join(', ') || 'none'}): the rule never matches it`,
        );
      }
    });
    const allMcp = names.length > 0 && names.every((n) => n.startsWith(mcpPrefix));
    if (allMcp && rule.method && !rule.method.includes('POST'))
      r.add(
        at,
        ['method'],
        'an MCP tool call is a POST: a rule over MCP servers with no POST never matches',
      );
  }
}
