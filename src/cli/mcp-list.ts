// What `airlock mcp list` reports: for each MCP server of the policy, the agents holding it and
// every tool it lists now, granted or not, pinned or held, with its description hash (what a pin
// takes) and, for each agent holding the server, the decision and rule a call of the tool without
// arguments gets from the policy evaluator (a probe: `mcp:<id>`, POST, `/<tool>`, body {}).
import { hasCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import { listServerTools, type ListedToolInfo } from '../mcp/inspect.ts';
import { evaluate } from '../policy/evaluate.ts';
import { mcpPrefix, type McpServer } from '../policy/mcp-schema.ts';
import type { LoadedPolicy } from '../policy/types.ts';
import type { CredentialStore } from '../vault/types.ts';

/** One tool of one server, as the report shows it. */
export interface ToolReport {
  name: string;
  /** Sanitized; absent when the server does not offer the tool (granted, not listed). */
  description?: string;
  descriptionHash?: string;
  granted: boolean;
  offered: boolean;
  /** The policy's pin for it, if any. */
  pin?: string;
  /** Pinned, and the server lists another description now: held back on every worker. */
  held: boolean;
  /** For a granted tool: what each agent holding the server gets for a call without arguments. */
  rules: { agent: string; decision: string; rule: string | null; reason: string }[];
}

/** One server, as the report shows it. */
export interface ServerReport {
  id: string;
  description?: string;
  /** `stdio <command>` or `http <url>`. */
  transport: string;
  trusted: boolean;
  timeoutMs: number;
  agents: string[];
  /** Why the server could not be listed; its tools are then only the granted names. */
  error?: string;
  tools: ToolReport[];
}

/** Connect to each server of `policy` (or only `only`) and report it. */
export async function mcpReport(
  policy: LoadedPolicy,
  deps: { vault?: CredentialStore; logger: Logger; now?: Date; only?: string },
): Promise<ServerReport[]> {
  const now = deps.now ?? new Date();
  const servers = policy.set.mcpServers.filter(
    (s) => deps.only === undefined || s.id === deps.only,
  );
  const reports: ServerReport[] = [];
  for (const server of servers) {
    let listed: ListedToolInfo[] = [];
    let error: string | undefined;
    try {
      listed = await listServerTools(server, deps);
    } catch (err) {
      if (!hasCode(err, 'mcp_unavailable')) throw err;
      error = (err as Error).message;
    }
    const agents = policy.set.agents
      .filter((a) => a.capabilities.includes(`${mcpPrefix}${server.id}`))
      .map((a) => a.id);
    const names = [...listed.map((t) => t.name)];
    for (const name of server.tools) if (!names.includes(name)) names.push(name);
    reports.push({
      id: server.id,
      ...(server.description !== undefined ? { description: server.description } : {}),
      transport: server.command ? `stdio ${server.command.command}` : `http ${server.url ?? ''}`,
      trusted: server.trusted,
      timeoutMs: server.timeout,
      agents,
      ...(error !== undefined ? { error } : {}),
      tools: names.map((name) =>
        toolReport(
          policy,
          server,
          name,
          listed.find((t) => t.name === name),
          agents,
          now,
        ),
      ),
    });
  }
  return reports;
}

function toolReport(
  policy: LoadedPolicy,
  server: McpServer,
  name: string,
  listed: ListedToolInfo | undefined,
  agents: string[],
  now: Date,
): ToolReport {
  const granted = server.tools.includes(name);
  const pin = server.pins[name];
  const probe = (agent: string) => {
    const d = evaluate(
      policy,
      { agent, capability: `${mcpPrefix}${server.id}`, method: 'POST', path: `/${name}`, body: {} },
      now,
    );
    return { agent, decision: d.decision, rule: d.rule, reason: d.reason };
  };
  return {
    name,
    ...(listed ? { description: listed.description, descriptionHash: listed.descriptionHash } : {}),
    granted,
    offered: listed !== undefined,
    ...(pin !== undefined ? { pin } : {}),
    held: pin !== undefined && listed !== undefined && listed.descriptionHash !== pin,
    rules: granted ? agents.map(probe) : [],
  };
}

/** The report as text for a terminal (the caller makes it terminal-safe). */
export function formatReport(reports: ServerReport[]): string {
  if (reports.length === 0) return 'no MCP servers in the policy\n';
  const lines: string[] = [];
  for (const s of reports) {
    const trust = s.trusted ? 'trusted' : 'untrusted: results sanitized';
    lines.push(`${s.id}  ${s.transport}  (${trust}; timeout ${s.timeoutMs / 1000}s)`);
    if (s.description) lines.push(`  ${s.description}`);
    lines.push(`  agents: ${s.agents.length > 0 ? s.agents.join(', ') : 'none holds mcp:' + s.id}`);
    if (s.error) lines.push(`  unavailable: ${s.error}`);
    for (const t of s.tools) {
      const state = !t.granted
        ? 'not granted (never shown, never called)'
        : !t.offered
          ? 'granted, not offered by the server'
          : t.held
            ? `granted, HELD: the server lists ${t.descriptionHash}, the policy pins ${t.pin}`
            : t.pin !== undefined
              ? 'granted, pinned'
              : 'granted (first description seen by each worker is accepted)';
      lines.push(`  - ${t.name}: ${state}`);
      if (t.descriptionHash) lines.push(`      hash ${t.descriptionHash}`);
      if (t.description) lines.push(`      ${t.description}`);
      for (const r of t.rules) {
        lines.push(
          `      ${r.agent}: ${r.decision}${r.rule ? ` (rule ${r.rule})` : ''}: ${r.reason}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
