// The policy decision of an MCP call, checked against the tool as its server lists it now, before
// any card is shown or anything runs: a tool the server does not list or holds back (its
// description changed), or arguments its input schema refuses, turn the decision into a deny with
// the reason. What passes pins the tool's description and each argument's (already sanitized by
// the hub) for the card, so the approver reads what the agent was told each field means.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { listingReuseMs, type McpHub, type McpTool } from '../mcp/types.ts';
import { mcpCallName, type McpCallRef } from '../../workflows/sensitive-action/mcp-call.ts';
import type { McpToolView, PolicyDecision } from '../../workflows/sensitive-action/request.ts';

const ajv = new AjvJsonSchemaValidator();
/** Longest description the card shows per argument, and of the tool. */
const maxDescription = 300;

/** What the check adds to a decision: a deny's reason, or the tool as the card shows it. */
export type McpCheck = { refused: string } | { tool: McpToolView } | null;

/**
 * Check `call` with `args` against the tool its server lists (null without a hub: the call is then
 * refused at execution, when the hub is missing). Never throws for the server's sake: a server
 * that cannot list its tools refuses the call.
 */
export async function checkMcpCall(
  hub: McpHub | undefined,
  call: McpCallRef,
  args: unknown,
  signal?: AbortSignal,
): Promise<McpCheck> {
  if (!hub) return null;
  const name = mcpCallName(call);
  // The gateway listed the tools for this same request a moment ago: that listing stands.
  const { tools, held } = await hub.listTools([call.server], signal, listingReuseMs);
  if (held.some((h) => h.name === call.tool))
    return {
      refused: `${name} is held back: its description changed since it was accepted (the policy must pin the new hash)`,
    };
  const tool = tools.find((t) => t.name === call.tool);
  if (!tool)
    return { refused: `MCP server "${call.server}" does not list tool "${call.tool}" now` };
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    return { refused: `the arguments of ${name} are not an object` };
  const { $id: _, ...schema } = tool.inputSchema;
  const valid = ajv.getValidator(schema)(args);
  if (!valid.valid)
    return { refused: `the arguments do not fit ${name}'s input schema: ${valid.errorMessage}` };
  return { tool: toolView(tool) };
}

/** The tool as a card shows it: its description and each argument's, capped. */
function toolView(tool: McpTool): McpToolView {
  const properties = tool.inputSchema['properties'];
  const args: Record<string, string> = {};
  if (properties && typeof properties === 'object') {
    for (const [field, spec] of Object.entries(properties as Record<string, unknown>)) {
      const text = (spec as { description?: unknown } | null)?.description;
      if (typeof text === 'string' && text) args[field] = cap(text);
    }
  }
  return {
    description: cap(tool.description),
    descriptionHash: tool.descriptionHash,
    arguments: args,
  };
}

const cap = (text: string) =>
  text.length > maxDescription ? `${text.slice(0, maxDescription - 1)}…` : text;

/** `decision` with the check applied: a refusal becomes a deny, a pass pins the tool. */
export function withMcpCheck<D extends PolicyDecision>(
  decision: D,
  check: McpCheck,
): D & { mcpTool?: McpToolView } {
  if (!check) return decision;
  if ('refused' in check)
    return {
      ...decision,
      decision: 'deny',
      reason: `${check.refused}; refused before any approval (rule ${decision.rule ?? '(none)'} would have said ${decision.decision})`,
    };
  return { ...decision, mcpTool: check.tool };
}
