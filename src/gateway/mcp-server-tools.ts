// The agent's granted MCP tools as the gateway's MCP endpoint lists them: each tool of each server
// the agent holds (`mcp:<server>`), as the hub lists it (granted, not held back, description
// sanitized), named `<server>__<tool>`, with the server's input schema and a required `purpose`.
// A call is checked against that schema here (nothing starts when it does not fit) and becomes an
// ordinary action request, `POST /<tool>` on `mcp:<server>`: the policy, and a person when a rule
// says approve, decide before the hub calls the server.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { mcpCapabilityPrefix, type McpHub, type McpTool } from '../mcp/types.ts';
import { actionInput, requestActionFor, type ActionsDeps } from './actions.ts';
import { GatewayError } from './edge.ts';
import { failedResult, mcpToolResult } from './mcp-answers.ts';
import type { GatewayTool, InputSchema } from './mcp-tools.ts';

/** Between a server's id and its tool's name in the name the agent sees. */
export const MCP_TOOL_SEPARATOR = '__';

/** Longest function name the model APIs take (OpenAI's rule, the strictest: `[A-Za-z0-9_-]{1,64}`). */
const maxNameLength = 64;

/** The name the agent sees for `tool` of `server`: characters a model refuses (".") become "_". */
export function agentToolName(server: string, tool: string): string {
  return `${server}${MCP_TOOL_SEPARATOR}${tool}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** What the MCP servers' tools need. */
export interface ServerToolDeps extends ActionsDeps {
  mcp?: McpHub;
}

/** The servers an agent holds, from its capabilities' `mcp:<server>` ids. */
export function heldServers(capabilities: readonly string[]): string[] {
  return capabilities
    .filter((c) => c.startsWith(mcpCapabilityPrefix))
    .map((c) => c.slice(mcpCapabilityPrefix.length));
}

const validators = new AjvJsonSchemaValidator();
// Compiled schemas by description hash: the hash covers the schema, so an entry never goes stale.
const compiled = new Map<string, JsonSchemaValidator<unknown>>();

function validatorOf(tool: McpTool): JsonSchemaValidator<unknown> {
  let check = compiled.get(tool.descriptionHash);
  if (!check) {
    check = validators.getValidator<unknown>(tool.inputSchema);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(tool.descriptionHash, check);
  }
  return check;
}

/** The listed schema: the server's, plus the purpose an approver reads. */
function listedSchema(tool: McpTool): InputSchema {
  const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, unknown>;
  const required = Array.isArray(tool.inputSchema['required'])
    ? (tool.inputSchema['required'] as unknown[]).filter((r) => r !== 'purpose')
    : [];
  return {
    ...tool.inputSchema,
    type: 'object',
    properties: {
      ...properties,
      purpose: {
        type: 'string',
        minLength: 1,
        description: 'Why, in one sentence an approver will read.',
      },
    },
    required: [...required, 'purpose'],
  };
}

/** One granted tool: checked against its schema, then requested as an action. */
function serverTool(tool: McpTool, name: string, deps: ServerToolDeps): GatewayTool {
  return {
    name,
    description: tool.description,
    inputSchema: listedSchema(tool),
    prepare(args) {
      const { purpose, ...rest } = args;
      const checked = validatorOf(tool)(rest);
      if (!checked.valid)
        throw new GatewayError(
          400,
          'invalid_tool_input',
          `Invalid arguments for ${name}: ${checked.errorMessage}.`,
        );
      const input = actionInput.safeParse({
        capability: `${mcpCapabilityPrefix}${tool.server}`,
        method: 'POST',
        path: `/${tool.name}`,
        body: rest,
        purpose,
      });
      if (!input.success)
        throw new GatewayError(
          400,
          'invalid_tool_input',
          `Invalid arguments for ${name}: purpose: a sentence is required.`,
        );
      return () =>
        requestActionFor(input.data, deps).then(
          (outcome) => mcpToolResult(name, outcome),
          (err: unknown) => {
            if (err instanceof GatewayError) return failedResult(err, `The call to ${name}`);
            throw err;
          },
        );
    },
  };
}

/** What the servers list: their tools, those held back, and the servers that listed nothing. */
export interface ServerListing {
  tools: GatewayTool[];
  /** Agent-facing names of the tools held back. */
  held: string[];
  /** Servers that listed no tool at all now: down (the hub logs why), or none granted is listed. */
  silent: string[];
}

/**
 * The granted tools of the servers the agent holds, whose names are free (`taken`: Airlock's own;
 * each listed name is added); none without a hub. The hub lists each server on its own, so one
 * that is down takes only its own tools away. A tool whose name is too long for a model, or
 * clashes, is left out, logged.
 */
export async function serverTools(
  deps: ServerToolDeps,
  servers: readonly string[],
  taken: Set<string>,
  signal?: AbortSignal,
): Promise<ServerListing> {
  if (!deps.mcp || servers.length === 0) return { tools: [], held: [], silent: [] };
  const { tools, held } = await deps.mcp.listTools(servers, signal);
  const heard = new Set([...tools, ...held].map((t) => t.server));
  const listing: ServerListing = {
    tools: [],
    held: held.map((h) => agentToolName(h.server, h.name)),
    silent: servers.filter((s) => !heard.has(s)),
  };
  for (const tool of tools) {
    const name = agentToolName(tool.server, tool.name);
    // Listed names are unique: a clash (with Airlock's own, or "a.b" beside "a_b") leaves it out.
    if (name.length > maxNameLength || taken.has(name)) {
      deps.logger.warn(
        { agent: deps.agent.id, server: tool.server, tool: tool.name },
        'mcp tool left out: its name does not fit',
      );
      continue;
    }
    taken.add(name);
    listing.tools.push(serverTool(tool, name, deps));
  }
  return listing;
}
