// What an approver reads about an MCP tool call: the server and tool in the title, what the tool
// says it does, and each argument on its own line with the tool's own description of it (as the
// server listed it when the policy decided, sanitized by the hub). Secret-looking arguments are
// masked; a nested argument shows as JSON. Every string here is untrusted: the card escapes it.
import { maskSecrets } from '../actions/secret-fields.ts';
import { mcpCallName, mcpCallOf } from '../../workflows/sensitive-action/mcp-call.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';

/** An MCP call as the card and the CLI word it. */
export interface McpCallView {
  /** "Call orders.query (MCP server orders)". */
  heading: string;
  /** `orders.query`. */
  name: string;
  /** "What the tool does: …", or null when the server gave no description (or none was pinned). */
  description: string | null;
  /** Each argument: "sql — The query to run" (its description when the schema has one), value. */
  fields: [label: string, value: string][];
}

/** The view of `request` when it is an MCP call, else null. */
export function mcpCallView(request: ActionRequest, decision: PinnedDecision): McpCallView | null {
  const call = mcpCallOf(request);
  if (!call) return null;
  const name = mcpCallName(call);
  const tool = decision.mcpTool;
  const notes = tool?.arguments ?? {};
  const body = maskSecrets(request.body ?? {});
  const args =
    body && typeof body === 'object' && !Array.isArray(body)
      ? Object.entries(body as Record<string, unknown>)
      : [['(arguments)', body] as [string, unknown]];
  return {
    heading: `Call ${name} (MCP server ${call.server})`,
    name,
    description: tool?.description ? `What the tool does: ${tool.description}` : null,
    fields: args.map(([field, value]) => [
      Object.hasOwn(notes, field) && notes[field] ? `${field} — ${notes[field]}` : field,
      typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'),
    ]),
  };
}
