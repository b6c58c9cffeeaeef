// An MCP tool call as an action request: `capability: mcp:<server>`, `method: POST`, `path:
// /<tool>`, `body: <arguments>`. Defined on the ground floor because the workflow words its
// outcome by it, the policy matches it and the executor routes it; src/mcp/types.ts re-exports
// the prefix as the host-side contract.
import type { ActionRequest } from './request.ts';

/** The capability id an MCP server's calls go under in rules and requests: `mcp:<server>`. */
export const mcpCapabilityPrefix = 'mcp:';

/** An MCP tool name (the MCP specification: 1–128 of A-Z a-z 0-9 _ - .). */
export const mcpToolPattern = /^[A-Za-z0-9_.-]{1,128}$/;

/** The server and tool of an MCP call. */
export interface McpCallRef {
  server: string;
  tool: string;
}

/** True when `capability` names an MCP server (`mcp:<server>`). */
export const isMcpCapability = (capability: string): boolean =>
  capability.startsWith(mcpCapabilityPrefix);

/**
 * The server and tool `request` calls, or null when it is no MCP call (another capability), or is
 * not one an MCP server could take: a method other than POST, or a path other than `/<tool>`.
 */
export function mcpCallOf(
  request: Pick<ActionRequest, 'capability' | 'method' | 'path'>,
): McpCallRef | null {
  if (!isMcpCapability(request.capability)) return null;
  const server = request.capability.slice(mcpCapabilityPrefix.length);
  const tool = request.path.slice(1);
  if (!server || request.method.toUpperCase() !== 'POST') return null;
  if (!request.path.startsWith('/') || !mcpToolPattern.test(tool)) return null;
  return { server, tool };
}

/** How the card and the outcome name a call: `orders.query`. */
export const mcpCallName = (call: McpCallRef): string => `${call.server}.${call.tool}`;
