// The MCP way out of an allowed or approved request: one `tools/call` through the worker's hub,
// after the execution ledger's claim (made by the caller, per attempt: an MCP call carries no
// idempotency key, so it is made at most once). Whatever happens comes back as a result, never as
// an error to retry: the tool's own failure (`isError`, 422), the hub's refusal before the server
// saw the call (400) and a crash or timeout (502) alike end the request as failed, in the hub's words.
import type { McpHub } from '../mcp/types.ts';
import { mcpResultStatus, type McpCallRef } from '../../workflows/sensitive-action/mcp-call.ts';
import {
  maxInstructionFindings,
  type ActionRequest,
} from '../../workflows/sensitive-action/request.ts';
import type { ExecutionResult } from '../../workflows/sensitive-action/types.ts';

/** The hub's refusals made before the server saw the call (src/mcp/hub.ts): nothing ran. */
const notCalled = new Set([
  'mcp_unknown_server',
  'mcp_tool_not_granted',
  'mcp_bad_arguments',
  'mcp_unavailable',
  'mcp_tool_held',
  'mcp_tool_unknown',
  'mcp_bad_schema',
  'mcp_closed',
]);

/** What one MCP call needs. */
export interface McpExecution {
  /** The worker's hub; absent when the worker declares no MCP servers. */
  hub: McpHub | undefined;
  call: McpCallRef;
  request: ActionRequest;
  /** Bytes of result text kept in history; the rest is cut. */
  maxResultBytes: number;
  signal?: AbortSignal;
}

/** Call the tool once; the result (or why it failed) as the workflow keeps it. */
export async function executeMcpCall(x: McpExecution): Promise<ExecutionResult> {
  const args = argumentsOf(x.request.body);
  if (!args) return failure(mcpResultStatus.refused, 'the arguments of an MCP call are an object');
  if (!x.hub) return failure(mcpResultStatus.refused, 'this worker connects to no MCP servers');
  try {
    const result = await x.hub.callTool(x.call.server, x.call.tool, args, {
      ...(x.signal ? { signal: x.signal } : {}),
    });
    const { text, cut } = capBytes(result.text, x.maxResultBytes);
    return {
      status: result.isError ? mcpResultStatus.toolError : mcpResultStatus.ok,
      body: text,
      truncated: result.truncated || cut,
      ...(result.instructions?.length
        ? { instructions: result.instructions.slice(0, maxInstructionFindings) }
        : {}),
    };
  } catch (err) {
    // The hub's errors are its own words (no secret, no server output beyond its cap); anything
    // else is reported by its message only.
    const code = (err as { code?: unknown }).code;
    const tag = typeof code === 'string' ? ` (${code})` : '';
    const status =
      typeof code === 'string' && notCalled.has(code)
        ? mcpResultStatus.refused
        : mcpResultStatus.failed;
    return failure(status, `${(err as Error).message}${tag}`);
  }
}

/** A call's arguments: the request body, an object (absent: none). */
function argumentsOf(body: unknown): Record<string, unknown> | null {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return null;
  return body as Record<string, unknown>;
}

function failure(status: number, why: string): ExecutionResult {
  return { status, body: why, truncated: false };
}

/** `text` cut to at most `max` UTF-8 bytes, never mid-character. */
export function capBytes(text: string, max: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return { text, cut: false };
  let end = max;
  // Back up to the first byte of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), cut: true };
}
