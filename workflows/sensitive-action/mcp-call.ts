// An MCP tool call as an action request: `capability: mcp:<server>`, `method: POST`, `path:
// /<tool>`, `body: <arguments>`. Defined on the ground floor because the workflow words its
// outcome by it, the policy matches it and the executor routes it; src/mcp/types.ts re-exports
// the prefix as the host-side contract.
import type { ActionRequest } from './request.ts';
import type { ExecutionResult } from './types.ts';

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

/**
 * The status an MCP call's result carries, in HTTP's words so the outcome reads like any other
 * request's: the tool answered (200), the call was refused before reaching the server (400), the
 * tool said it failed (`isError`, 422), the server crashed or did not answer in time (502).
 */
export const mcpResultStatus = { ok: 200, refused: 400, toolError: 422, failed: 502 } as const;

/** Most characters of a failed call's reason the outcome quotes. */
const maxWhyLength = 500;

/** How the outcome words an MCP call's result; null for any other request. */
export function mcpOutcomeText(request: ActionRequest, result: ExecutionResult): string | null {
  const call = mcpCallOf(request);
  if (!call) return null;
  const name = mcpCallName(call);
  const why =
    result.body.length > maxWhyLength ? `${result.body.slice(0, maxWhyLength)}…` : result.body;
  if (result.status < 400) return `Called ${name}`;
  if (result.status === mcpResultStatus.toolError)
    return `Called ${name}, but the tool reported an error: ${why}`;
  if (result.status === mcpResultStatus.refused) return `Did not call ${name}: ${why}`;
  return `Called ${name}, but the call failed: ${why}`;
}
