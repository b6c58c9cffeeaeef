// The gate an MCP tool call passes before any rule is read: the server is declared, the agent
// holds it (`mcp:<server>` in its capabilities), the call has the one shape an MCP call has
// (POST /<tool>) and the server grants the tool (deny by default). The same refusals a
// capability's request gets for an unknown capability, method or path.
import type { Compiled } from './compile.ts';
import type { Agent } from './schema.ts';
import type { ActionRequest } from './types.ts';
import { mcpCallOf, mcpCapabilityPrefix } from '../../workflows/sensitive-action/mcp-call.ts';

/** Why `request` (to `mcp:<server>`) is refused before the rules, or null when it passes. */
export function mcpRefusal(c: Compiled, agent: Agent, request: ActionRequest): string | null {
  const id = request.capability.slice(mcpCapabilityPrefix.length);
  const server = c.mcpServers.get(id);
  if (!server) return `unknown MCP server "${id}"`;
  if (!agent.capabilities.includes(request.capability))
    return `agent "${agent.id}" may not use MCP server "${id}" (its capabilities do not list ${request.capability})`;
  const call = mcpCallOf(request);
  if (!call)
    return `an MCP call is POST /<tool>, not ${request.method.toUpperCase()} ${JSON.stringify(request.path)}`;
  if (!server.tools.includes(call.tool))
    return `MCP server "${id}" does not grant tool "${call.tool}" (its tools: ${server.tools.join(', ') || 'none'})`;
  return null;
}
