// `airlock policy analyze|suggest`: read the audit log over a window and report where approvals cost
// attention (and where they look rubber-stamped), or propose policy edits measured by replaying the
// window. The analysis itself lives in src/policy/analysis/; this file parses flags and prints.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openAuditLog } from '../audit/open.ts';
import { AuditLog, type AuditRecord } from '../audit/log.ts';
import { loadConfig, processEnv } from '../config.ts';
import { AirlockError, hasCode } from '../errors.ts';
import { formatProblem, type PolicyInvalidError } from '../policy/problems.ts';
import { analyze } from '../policy/analysis/analyze.ts';
import { cardsChart } from '../policy/analysis/chart.ts';
import { formatAnalysis, formatSuggestions } from '../policy/analysis/format.ts';
import { parseWindow, readLogFile, readStore, type Window } from '../policy/analysis/records.ts';
import { suggest } from '../policy/analysis/suggest.ts';
import { loadPolicySet, readSources } from '../policy/load.ts';
import { fillFieldsFromTemporal } from '../policy/analysis/temporal-fields.ts';
import type { CliIo } from './io.ts';

type Env = Record<string, string | undefined>;

const common = {
  since: { type: 'string' },
  until: { type: 'string' },
  audit: { type: 'string' },
  policy: { type: 'string', short: 'p' },
  json: { type: 'boolean', default: false },
  verify: { type: 'boolean', default: false },
} as const;

/** Usage of `airlock policy analyze` and `suggest` (part of `airlock policy --help`). */
export const analysisUsage = `  airlock policy analyze [--since T] [--until T] [--audit FILE] [--policy PATH]
                         [--json] [--chart FILE.svg] [--verify]
                                      requests, outcomes, cards, decision times and
                                      rubber-stamp signals per rule and agent
  airlock policy suggest [--since T] [--until T] [--audit FILE] [--policy PATH]
                         [--json | --diff] [--verify] [--temporal]
                                      policy edits measured by replaying the window;
                                      --temporal reads body fields the log lacks from
                                      each run's history (one read per request)
      T: ISO time (2026-11-01, 2026-11-01T08:00:00Z) or back from now (30d, 12h);
      default the last 30 days. --audit: a JSON-lines audit log (default: the configured
      one). --verify also checks every record's own hash (slower).
`;

/** Run `airlock policy analyze …`. */
export async function runAnalyze(args: string[], io: CliIo, env = processEnv()): Promise<number> {
  const { values } = parseArgs({ args, options: { ...common, chart: { type: 'string' } } });
  return guarded(io, 'analyze', async () => {
    const { window, records, timeZone } = await open(values, env);
    const { analysis } = await analyze(records, window, timeZone);
    if (values.chart) {
      await writeFile(
        values.chart,
        cardsChart(
          analysis.cardsPerDay,
          `Cards per day per rule, ${analysis.window.since.slice(0, 10)} – ${analysis.window.until.slice(0, 10)}`,
        ),
      );
    }
    io.stdout(values.json ? `${JSON.stringify(analysis, null, 2)}\n` : formatAnalysis(analysis));
    if (values.chart && !values.json) io.stdout(`Chart written to ${values.chart}\n`);
    return 0;
  });
}

/** Run `airlock policy suggest …`. */
export async function runSuggest(args: string[], io: CliIo, env = processEnv()): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...common,
      diff: { type: 'boolean', default: false },
      temporal: { type: 'boolean', default: false },
    },
  });
  return guarded(io, 'suggest', async () => {
    const { window, records, policyPath } = await open(values, env);
    const policy = await loadPolicySet(policyPath);
    const sources = await readSources(policyPath);
    const { timelines } = await analyze(records, window, policy.set.settings.timeZone ?? 'UTC');
    if (values.temporal) {
      // Loaded only here: `airlock policy` does not load Temporal otherwise.
      const { isGrpcServiceError, WorkflowNotFoundError } = await import('@temporalio/client');
      const { startedRequest } = await import('./actions.ts');
      const { withClient } = await import('./client.ts');
      const { filled, missing } = await withClient(env, (client) =>
        fillFieldsFromTemporal(timelines, (id) =>
          startedRequest(client, client.workflow.getHandle(id)).catch((err: unknown) => {
            // A run past retention (or never started) is gone: gRPC NOT_FOUND (5) from the history.
            if (err instanceof WorkflowNotFoundError) return undefined;
            if (isGrpcServiceError(err) && Number(err.code) === 5) return undefined;
            throw err;
          }),
        ),
      );
      io.stderr(
        `Body fields read from Temporal for ${filled} requests (${missing} runs no longer there).\n`,
      );
    }
    const result = suggest(timelines, policy, sources);
    if (values.json) {
      const { baseline, combined, ...rest } = result;
      const counts = (r: typeof baseline) => ({
        cards: r.cards,
        cardsByRule: r.cardsByRule,
        rejectedPassing: r.rejectedPassing.length,
        expiredPassing: r.expiredPassing.length,
        pendingPassing: r.pendingPassing.length,
        deniedPassing: r.deniedPassing.length,
        unreplayable: r.unreplayable,
      });
      io.stdout(
        `${JSON.stringify({ ...rest, baseline: counts(baseline), combined: counts(combined) }, null, 2)}\n`,
      );
    } else if (values.diff) io.stdout(result.diff);
    else io.stdout(formatSuggestions(result));
    return 0;
  });
}

async function guarded(io: CliIo, command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (hasCode(err, 'policy_invalid')) {
      for (const p of (err as PolicyInvalidError).problems) io.stderr(`${formatProblem(p)}\n`);
      return 1;
    }
    if (err instanceof AirlockError) {
      io.stderr(`airlock policy ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function open(
  values: { since?: string; until?: string; audit?: string; policy?: string; verify?: boolean },
  env: Env,
): Promise<{
  window: Window;
  records: AsyncIterable<AuditRecord>;
  timeZone: string;
  policyPath: string;
}> {
  const config = loadConfig(env);
  const window = parseWindow(values.since, values.until, new Date());
  const options = { window, verifyHashes: values.verify ?? false };
  const policyPath = values.policy ?? config.AIRLOCK_POLICY_DIR;
  // Office hours are judged in the policy's time zone; a broken default policy leaves UTC (analyze
  // must still run), a broken policy named with --policy is an error.
  const timeZone = await loadPolicySet(policyPath).then(
    (p) => p.set.settings.timeZone ?? 'UTC',
    (err: unknown) => {
      if (values.policy) throw err;
      return 'UTC';
    },
  );
  if (values.audit)
    return { window, records: readLogFile(values.audit, options), timeZone, policyPath };
  const store = openAuditLog(config);
  const records =
    store instanceof AuditLog ? readLogFile(store.path, options) : readStore(store, options);
  return { window, records, timeZone, policyPath };
}
