// Cross-file checks for MCP servers: an agent holding `mcp:<id>` names a declared server, is an
// action agent (a research agent holds no MCP servers, as it holds no capabilities) and lists the
// server's vault entries in its credentials, as it must for a capability's. A server that grants
// no tool is legal (`airlock mcp list` shows what it offers) but gives nothing: a warning.
import type { Collected } from './collected.ts';
import type { Reporter } from './check-agents.ts';
import { mcpPrefix } from './mcp-schema.ts';

/** Check every `mcp:` capability of every agent of `c`, and each server, reporting through `r`. */
export function checkMcp(c: Collected, r: Reporter): void {
  const server = (name: string) => c.mcpServers.find((e) => e.value.id === name)?.value;
  for (const { value: a, at } of c.agents) {
    a.capabilities.forEach((name, i) => {
      if (!name.startsWith(mcpPrefix)) return;
      const id = name.slice(mcpPrefix.length);
      if (a.sensitivity === 'research') {
        r.add(
          at,
          ['capabilities', i],
          `a research agent holds no MCP servers ("${name}"): make the agent sensitivity: action, or drop it`,
        );
        return;
      }
      r.ref(at, 'capabilities', i, 'mcpServers', id);
      const s = server(id);
      if (!s) return;
      const missing = [
        ...Object.values(s.credentials.env),
        ...Object.values(s.credentials.headers),
      ].filter((cred) => !a.credentials.includes(cred));
      for (const cred of new Set(missing)) {
        r.add(
          at,
          ['capabilities', i],
          `MCP server "${id}" uses credential "${cred}", which is not in this agent's credentials`,
        );
      }
    });
  }
  for (const { value: s, at } of c.mcpServers) {
    if (s.tools.length === 0) {
      r.warn(
        at,
        ['tools'],
        `MCP server "${s.id}" grants no tools: list the ones agents may call (airlock mcp list shows them)`,
      );
    }
  }
}
