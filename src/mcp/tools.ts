// What the hub makes of a server's tool list: each granted tool's description hash (sha256 of the
// canonical JSON of its RAW name, description and input schema), its description sanitized before
// any model sees it (descriptions inside the input schema too: they reach the model as well), and
// the rug-pull check: the first hash this hub saw (or the policy's pin) is accepted, and a tool
// listing another one is held back until the policy pins the new hash.
import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../canonical-json.ts';
import type { McpServer } from '../policy/mcp-schema.ts';
import { sanitize } from '../sanitize/sanitize.ts';
import type { HeldTool, McpTool } from './types.ts';

/** Longest tool or argument description an agent sees (longer ones are cut by the sanitizer). */
const maxDescription = 2000;

/** sha256 (hex) of the canonical JSON of the tool's raw name, description and input schema. */
export function descriptionHash(tool: Pick<Tool, 'name' | 'description' | 'inputSchema'>): string {
  const raw = { name: tool.name, description: tool.description, inputSchema: tool.inputSchema };
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}

/** One tool as the server listed it, with its hash. */
export interface ListedTool {
  raw: Tool;
  hash: string;
}

/** Every tool the server lists now (all pages), hashed. */
export async function listAll(
  client: Client,
  options: { timeout: number; signal?: AbortSignal },
): Promise<ListedTool[]> {
  const listed: ListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, options);
    for (const raw of page.tools) listed.push({ raw, hash: descriptionHash(raw) });
    cursor = page.nextCursor;
  } while (cursor);
  return listed;
}

/**
 * The accepted hash of each tool this hub has seen: the policy's pin, else the first hash seen.
 * A pin that matches what the server lists becomes the remembered one, so removing the pin later
 * keeps the description it accepted rather than falling back to an older one.
 */
export class Acceptance {
  private readonly seen = new Map<string, string>();

  /** The accepted hash for `tool` of `server` now listing `hash`. */
  accepted(server: McpServer, tool: string, hash: string): string {
    const key = `${server.id}\u0000${tool}`;
    const pin = server.pins[tool];
    if (pin !== undefined) {
      if (pin === hash) this.seen.set(key, pin);
      return pin;
    }
    const first = this.seen.get(key);
    if (first !== undefined) return first;
    this.seen.set(key, hash);
    return hash;
  }
}

/** Split a server's listing into the granted tools an agent may see and those held back. */
export function grantedTools(
  server: McpServer,
  listed: readonly ListedTool[],
  acceptance: Acceptance,
): { tools: McpTool[]; held: HeldTool[] } {
  const tools: McpTool[] = [];
  const held: HeldTool[] = [];
  for (const { raw, hash } of listed) {
    if (!server.tools.includes(raw.name)) continue;
    const acceptedHash = acceptance.accepted(server, raw.name, hash);
    if (acceptedHash !== hash) {
      held.push({ server: server.id, name: raw.name, acceptedHash, listedHash: hash });
      continue;
    }
    tools.push({ server: server.id, name: raw.name, ...shown(raw, hash), descriptionHash: hash });
  }
  return { tools, held };
}

/** Sanitized descriptions by hash (the hash covers all they are made from); bounded. */
const shownByHash = new Map<
  string,
  { description: string; inputSchema: Record<string, unknown> }
>();
const maxShown = 1000;

/** The tool's description and input schema as an agent sees them (a fresh copy each time). */
function shown(raw: Tool, hash: string) {
  let s = shownByHash.get(hash);
  if (!s) {
    // A server changing its descriptions at every list cannot grow this without bound.
    if (shownByHash.size >= maxShown) shownByHash.clear();
    s = {
      description: clean(raw.description ?? ''),
      inputSchema: cleanSchema(raw.inputSchema) as Record<string, unknown>,
    };
    shownByHash.set(hash, s);
  }
  return structuredClone(s);
}

/** A tool or argument description as an agent (or an operator's terminal) may see it. */
export function clean(text: string): string {
  return sanitize(text, { level: 'standard', maxLength: maxDescription }).text;
}

/** A copy of `schema` with every `description` and `title` text sanitized. */
function cleanSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      (key === 'description' || key === 'title') && typeof value === 'string'
        ? clean(value)
        : cleanSchema(value);
  }
  return out;
}
