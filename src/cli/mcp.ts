// `airlock mcp list`: the MCP servers of the policy, each tool they list (granted or not, pinned or
// held, with the description hash a pin takes) and the rule a call of each granted tool falls
// under for each agent holding the server. It starts each stdio server (or reaches each HTTP one)
// once, with its vault credentials, and stops it again.
import { parseArgs } from 'node:util';
import { loadConfig, processEnv } from '../config.ts';
import { hasCode } from '../errors.ts';
import { createLogger } from '../log.ts';
import { loadPolicySet } from '../policy/load.ts';
import { openVault } from '../vault/open.ts';
import { terminalSafe, type CliIo } from './io.ts';
import { formatReport, mcpReport } from './mcp-list.ts';

/** Usage of `airlock mcp`. */
export const usage = `usage:
  airlock mcp list [--policy DIR] [--server ID] [--json]

Starts (or reaches) each MCP server of the policy with its vault credentials, lists every tool it
offers, granted or not, with its description hash (pins take it), and the rule a call without
arguments falls under for each agent holding the server (mcp:<id>). Use \`airlock policy explain\`
for a call with arguments.
`;

type Env = Record<string, string | undefined>;

/** Run `airlock mcp …`; `env` replaces the process environment (tests). */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'list') {
    io.stderr(`${command ? `airlock mcp: unknown command "${command}"\n\n` : ''}${usage}`);
    return 2;
  }
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        policy: { type: 'string' },
        server: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const config = loadConfig(env);
    const policy = await loadPolicySet(values.policy ?? config.AIRLOCK_POLICY_DIR);
    if (values.server && !policy.set.mcpServers.some((s) => s.id === values.server)) {
      io.stderr(`airlock mcp: no MCP server "${values.server}" in the policy\n`);
      return 1;
    }
    // Only what goes wrong is logged, to stderr; the report itself goes to stdout.
    const logger = createLogger({ level: 'warn' }, { write: (s: string) => io.stderr(s) });
    // A policy without servers needs no vault (and no vault key).
    const vault = policy.set.mcpServers.length > 0 ? openVault(config) : undefined;
    const reports = await mcpReport(policy, { vault, logger, only: values.server });
    io.stdout(
      values.json
        ? `${JSON.stringify({ servers: reports }, null, 2)}\n`
        : terminalSafe(formatReport(reports)),
    );
    return reports.some((r) => r.error !== undefined) ? 1 : 0;
  } catch (err) {
    const tag =
      typeof (err as { code?: unknown }).code === 'string'
        ? ` [${(err as { code: string }).code}]`
        : '';
    io.stderr(`airlock mcp: ${(err as Error).message}${tag}\n`);
    return hasCode(err, 'config_invalid') || isParseError(err) ? 2 : 1;
  }
}

function isParseError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
