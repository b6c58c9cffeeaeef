// `airlock policy check|explain|analyze|suggest`: validate policy sets (every problem, located in
// its file), dry-run a request against one, and tune them from the audit trail
// (policy-analysis.ts).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { hasCode } from '../errors.ts';
import { evaluate } from '../policy/evaluate.ts';
import { loadPolicySet } from '../policy/load.ts';
import { memorySummary } from '../policy/memory.ts';
import { formatProblem } from '../policy/problems.ts';
import type { PolicyInvalidError } from '../policy/problems.ts';
import { actionRequestSchema } from '../policy/request-schema.ts';
import { mcpCapabilityPrefix } from '../mcp/types.ts';
import type { CliIo } from './io.ts';
import { analysisUsage, runAnalyze, runSuggest } from './policy-analysis.ts';

/** Usage of `airlock policy`. */
export const usage = `usage:
  airlock policy check [paths…]       validate policy sets (default: AIRLOCK_POLICY_DIR)
  airlock policy explain --request <file|-> [--policy <path>] [--at <ISO time>]
                                      print the decision for a request JSON
                                      {"agent","capability","method","path","body"?}
  airlock policy explain --mcp <server>/<tool> --agent <id> [--args <json>] [--policy <path>]
                                      the same for an MCP tool call (POST /<tool> on mcp:<server>,
                                      the arguments as its body)
${analysisUsage}`;

/** Run `airlock policy <command> …`; returns the exit code (0 ok, 1 invalid input, 2 usage). */
export async function run(
  args: string[],
  io: CliIo,
  env?: Record<string, string | undefined>,
): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'check') return await check(rest, io);
    if (command === 'explain') return await explain(rest, io);
    if (command === 'analyze') return await runAnalyze(rest, io, env);
    if (command === 'suggest') return await runSuggest(rest, io, env);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      io.stderr(`airlock policy: ${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    throw err;
  }
  if (command === 'help' || command === '--help') {
    io.stdout(usage);
    return 0;
  }
  io.stderr(`${command ? `airlock policy: unknown command "${command}"\n\n` : ''}${usage}`);
  return 2;
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const paths = positionals.length > 0 ? positionals : [loadConfig().AIRLOCK_POLICY_DIR];
  let failed = 0;
  for (const path of paths) {
    try {
      const { set, hash, files, warnings } = await loadPolicySet(path);
      for (const w of warnings) io.stderr(`${formatProblem(w, 'warning')}\n`);
      const counts = [
        `${set.agents.length} agents`,
        `${set.capabilities.length} capabilities`,
        `${set.rules.length} rules`,
        `${set.links.length} links`,
        `${set.users.length} users`,
        `${set.groups.length} groups`,
      ];
      const fileCount = `${files.length} file${files.length === 1 ? '' : 's'}`;
      io.stdout(`ok ${path} (${fileCount}): ${counts.join(', ')}; hash ${hash}\n`);
      // What each agent's memory scope lets one person's session read of another's.
      for (const a of set.agents.filter((x) => x.model))
        io.stdout(`  ${a.id}: ${memorySummary(a.memory)}\n`);
    } catch (err) {
      if (!hasCode(err, 'policy_invalid')) throw err;
      const { problems } = err as PolicyInvalidError;
      failed++;
      for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
      io.stderr(`invalid ${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

async function explain(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      request: { type: 'string', short: 'r' },
      mcp: { type: 'string' },
      agent: { type: 'string' },
      args: { type: 'string' },
      policy: { type: 'string', short: 'p' },
      at: { type: 'string' },
    },
  });
  if ((values.request === undefined) === (values.mcp === undefined)) {
    io.stderr(`airlock policy explain: give --request or --mcp (one of them)\n\n${usage}`);
    return 2;
  }
  const now = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(now.getTime())) {
    io.stderr(`airlock policy explain: --at "${values.at}" is not an ISO date-time\n`);
    return 2;
  }
  const read =
    values.mcp !== undefined ? mcpRequest(values, io) : await requestJson(values.request ?? '', io);
  if ('exit' in read) return read.exit;
  const source =
    values.mcp !== undefined ? '--mcp' : values.request === '-' ? 'stdin' : values.request;
  const request = actionRequestSchema.safeParse(read.json);
  if (!request.success) {
    for (const issue of request.error.issues) {
      io.stderr(
        `${source}: $${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}\n`,
      );
    }
    return 1;
  }
  const policyPath = values.policy ?? loadConfig().AIRLOCK_POLICY_DIR;
  try {
    const policy = await loadPolicySet(policyPath);
    io.stdout(`${JSON.stringify(evaluate(policy, request.data, now), null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!hasCode(err, 'policy_invalid')) throw err;
    for (const p of (err as PolicyInvalidError).problems) io.stderr(`${formatProblem(p)}\n`);
    return 1;
  }
}

/** The request as JSON, or the exit code when it cannot be read. */
type Read = { json: unknown } | { exit: number };

/** The request JSON of `--request <file|->`, or the exit code when it cannot be read. */
async function requestJson(from: string, io: CliIo): Promise<Read> {
  const source = from === '-' ? 'stdin' : from;
  const text = from === '-' ? await io.stdin() : await readFile(from, 'utf8');
  try {
    return { json: JSON.parse(text) as unknown };
  } catch (err) {
    io.stderr(`airlock policy explain: ${source} is not JSON: ${(err as Error).message}\n`);
    return { exit: 1 };
  }
}

/** The request an MCP call (`--mcp server/tool --agent id --args json`) is, or the exit code. */
function mcpRequest(values: { mcp?: string; agent?: string; args?: string }, io: CliIo): Read {
  const [server, tool, ...rest] = (values.mcp ?? '').split('/');
  if (!server || !tool || rest.length > 0 || values.agent === undefined) {
    io.stderr(`airlock policy explain: --mcp is <server>/<tool>, with --agent <id>\n\n${usage}`);
    return { exit: 2 };
  }
  let body: unknown = {};
  try {
    if (values.args !== undefined) body = JSON.parse(values.args);
  } catch (err) {
    io.stderr(`airlock policy explain: --args is not JSON: ${(err as Error).message}\n`);
    return { exit: 1 };
  }
  const capability = `${mcpCapabilityPrefix}${server}`;
  return { json: { agent: values.agent, capability, method: 'POST', path: `/${tool}`, body } };
}
