// The host-side MCP contract: what the rest of Airlock asks of the MCP servers a policy declares
// (`mcpServers`). One hub per worker process holds the connections; the gateway lists an agent's
// granted tools through it and the action executor calls a tool through it, after the policy (and
// a human, when a rule says approve) has let the call through. Nothing here reaches the sandbox:
// credentials go into a server's environment or headers on the host.
import type { InstructionFinding } from '../sanitize/instructions.ts';

/** The capability id an MCP server's calls go under in rules and requests: `mcp:<server>`. */
// Defined with the request on the ground floor: the workflow words an MCP call's outcome by it.
export { mcpCapabilityPrefix } from '../../workflows/sensitive-action/mcp-call.ts';

/**
 * How old a listing the decision's check of a request may stand on: the gateway listed the tools
 * for that same request a moment before. The call itself always lists anew.
 */
export const listingReuseMs = 1_000;

/** One tool of one server, as an agent granted it sees it (description already sanitized). */
export interface McpTool {
  server: string;
  name: string;
  description: string;
  /** The tool's JSON Schema for its arguments, as the server listed it. */
  inputSchema: Record<string, unknown>;
  /** sha256 (hex) of the server's raw name, description and input schema (canonical JSON). */
  descriptionHash: string;
}

/** A granted tool held back because its description changed since it was accepted (a rug pull). */
export interface HeldTool {
  server: string;
  name: string;
  /** The hash accepted (pinned in the policy, or first seen by this worker). */
  acceptedHash: string;
  /** The hash the server lists now; add it to the policy to accept the new description. */
  listedHash: string;
}

/** What a tool call gave back, shaped for the agent: capped, redacted, sanitized when untrusted. */
export interface McpCallResult {
  /** The server's text content, joined; structured content as JSON text when there is no text. */
  text: string;
  /** The server said the call failed (`isError`); the text says why. */
  isError: boolean;
  /** The text was cut at the cap. */
  truncated: boolean;
  /** Sentences in the result that tell the reader to act. */
  instructions?: InstructionFinding[];
}

/** The MCP servers of a policy, connected on demand. */
export interface McpHub {
  /**
   * The granted tools of these servers (each `mcp:<server>` an agent holds), and those held back.
   * Listed now, unless `reuseMs` lets a listing at most that old (the gateway's, for the same
   * request) stand.
   */
  listTools(
    servers: readonly string[],
    signal?: AbortSignal,
    reuseMs?: number,
  ): Promise<{ tools: McpTool[]; held: HeldTool[] }>;
  /**
   * Call one granted, not held-back tool. Throws `AirlockError` with a code when the server is
   * unknown, the tool not granted or held, the arguments fail its schema, or the server crashes or
   * does not answer in time; never calls twice on its own. With `descriptionHash` (the hash the
   * agent, or the approver's card, saw), a tool whose description changed since is held too, even
   * on a worker that never listed it before (an approval can run days later, elsewhere).
   */
  callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options?: { signal?: AbortSignal; timeoutMs?: number; descriptionHash?: string },
  ): Promise<McpCallResult>;
  /** Close every connection and stop every stdio server this hub started. */
  close(): Promise<void>;
}
