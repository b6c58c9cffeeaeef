// `airlock actions request` and `airlock approvals list|show`: start a sensitive action from a
// terminal, and let operators see what is pending, who decided, and what ran.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type proto from '@temporalio/proto';
import { requestAction } from '../actions/request.ts';
import { exchangeView } from '../chat/card-exchange.ts';
import { maskSecrets } from '../actions/secret-fields.ts';
import { lookupHeading, lookupViews } from '../chat/card-lookups.ts';
import { askContext } from '../chat/card-model.ts';
import { processEnv } from '../config.ts';
import { statusQuery, type ActionStatus } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { activityOutcome } from '../temporal/history-results.ts';
import type { UnusualFinding } from '../../workflows/sensitive-action/types.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import { loginName } from './agent-session.ts';
import { withClient } from './client.ts';
import { stringOptions, terminalSafe, type CliIo } from './io.ts';

/** Usage of `airlock actions`. */
export const actionsUsage = `usage:
  airlock actions request --agent A --capability C --method M --path P [--body FILE|-]
                          [--request-id ID] [--requester NAME] [--wait]
  (--requester: who asks, a policy user id, email or login; default: your login name)
`;
/** Usage of `airlock approvals`. */
export const approvalsUsage = `usage:
  airlock approvals list [--state pending|approved|rejected|expired|executed|denied|failed] [--json]
  airlock approvals show <workflow-id> [--json]
  airlock approvals receipt <request-id|workflow-id>
`;

/** Run `airlock actions …`. */
export async function runActions(args: string[], io: CliIo, env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'request') {
    io.stderr(actionsUsage);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      ...stringOptions('agent', 'capability', 'method', 'path', 'body', 'request-id', 'requester'),
      wait: { type: 'boolean' },
    },
  });
  const missing = (['agent', 'capability', 'method', 'path'] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    io.stderr(
      `airlock actions: missing ${missing.map((m) => `--${m}`).join(', ')}\n\n${actionsUsage}`,
    );
    return 2;
  }
  let body: unknown;
  if (values.body !== undefined) {
    const text = values.body === '-' ? await io.stdin() : await readFile(values.body, 'utf8');
    try {
      body = JSON.parse(text);
    } catch {
      io.stderr(`airlock actions: --body must be a JSON file\n`);
      return 2;
    }
  }
  const requester = values.requester?.trim() || loginName();
  const request: ActionRequest = {
    agent: values.agent as string,
    capability: values.capability as string,
    method: (values.method as string).toUpperCase(),
    path: values.path as string,
    ...(body === undefined ? {} : { body }),
    // A request always names who made it (the operator's login unless --requester says), so
    // that person cannot approve it and the card says whose it is.
    requester: { platform: 'cli', userId: requester, displayName: requester },
  };
  return withClient(env, async (client, config) => {
    const { workflowId, handle } = await requestAction(
      client,
      config,
      request,
      values['request-id'],
    );
    io.stdout(`${workflowId}\n`);
    if (values.wait) io.stdout(`${JSON.stringify(await handle.result(), null, 2)}\n`);
    return 0;
  });
}

/** Run `airlock approvals …`. */
export async function runApprovals(args: string[], io: CliIo, env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'receipt')
    return (await import('./receipts.ts')).runApprovalReceipt(rest, io, env);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { state: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (command === 'list') {
    if (values.state && !/^[a-z]+$/.test(values.state)) {
      io.stderr(`airlock approvals: bad --state\n`);
      return 2;
    }
    return withClient(env, async (client) => {
      const query = `WorkflowType = "sensitiveActionWorkflow"${values.state ? ` AND ApprovalState = "${values.state}"` : ''}`;
      const rows = [];
      for await (const w of client.workflow.list({ query })) {
        const sa = w.searchAttributes as Record<string, unknown[] | undefined>;
        const first = (k: string) => (sa[k]?.[0] as string | undefined) ?? '';
        rows.push({
          workflowId: w.workflowId,
          state: first('ApprovalState'),
          agent: first('AgentId'),
          capability: first('Capability'),
          rule: first('PolicyRule'),
          approver: first('Approver'),
          started: w.startTime.toISOString(),
          status: w.status.name,
        });
      }
      if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) io.stdout('no approvals match\n');
      else
        for (const r of rows)
          io.stdout(
            `${r.workflowId}  ${r.state.padEnd(9)} ${r.agent} ${r.capability} rule=${r.rule}${r.approver ? ` by ${r.approver}` : ''}  started ${r.started}\n`,
          );
      return 0;
    });
  }
  if (command === 'show' && positionals[0]) {
    const id = positionals[0];
    return withClient(env, async (client) => {
      const handle = client.workflow.getHandle<typeof sensitiveActionWorkflow>(id);
      const d = await handle.describe();
      let status: ActionStatus | { unavailable: string };
      try {
        status = await handle.query(statusQuery);
      } catch (err) {
        status = {
          unavailable: `status query failed (is a worker running?): ${(err as Error).message}`,
        };
      }
      const result = d.status.name === 'COMPLETED' ? await handle.result() : undefined;
      const { request, findings } = await fromHistory(client, handle);
      const view = {
        workflowId: id,
        request,
        unusual: findings,
        runStatus: d.status.name,
        started: d.startTime.toISOString(),
        closed: d.closeTime?.toISOString(),
        status,
        result,
      };
      if (values.json) io.stdout(`${JSON.stringify(view, null, 2)}\n`);
      else {
        io.stdout(`${id}  (${d.status.name})\n`);
        if (request) io.stdout(describeRequest(request));
        for (const f of findings) io.stdout(`  unusual: ${terminalSafe(f.text)}\n`);
        if ('summary' in status) io.stdout(`  ${status.state}: ${status.summary}\n`);
        for (const x of 'decisions' in status ? status.decisions : [])
          io.stdout(
            `  ${x.choice} by ${x.approver} at ${x.at}${x.reason ? `: ${x.reason}` : ''}\n`,
          );
        for (const x of 'rejectedClicks' in status ? status.rejectedClicks : [])
          io.stdout(`  refused click by ${x.approver}: ${x.why}\n`);
        // A finished run answers from its result, even with no worker to answer the query.
        if (result && !('decisions' in status))
          for (const x of result.decidedBy)
            io.stdout(
              `  ${x.choice} by ${x.approver.displayName} at ${x.at}${x.reason ? `: ${x.reason}` : ''}\n`,
            );
        if (result) io.stdout(`  outcome: ${result.outcome} — ${result.message}\n`);
      }
      return 0;
    });
  }
  io.stderr(approvalsUsage);
  return 2;
}

/**
 * What a sensitive-action run's history pins (decoded with the client's codec): the request it was
 * started with, and the history comparison's findings shown on its cards (none when it found
 * nothing, failed, or the run predates it).
 */
async function fromHistory(
  client: Client,
  handle: {
    fetchHistory(): Promise<{ events?: proto.temporal.api.history.v1.IHistoryEvent[] | null }>;
  },
): Promise<{ request: ActionRequest | undefined; findings: UnusualFinding[] }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const decode = (payloads: proto.temporal.api.common.v1.IPayload[] | null | undefined) =>
    decodeArrayFromPayloads(client.options.loadedDataConverter, payloads);
  const [input] = await decode(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads);
  // A regular activity in runs started before it became a local one.
  const compared = activityOutcome(events, 'compareWithHistory');
  const [result] = compared.result ? await decode(compared.result) : [];
  return {
    request: (input as { request?: ActionRequest } | undefined)?.request,
    findings: Array.isArray(result) ? (result as UnusualFinding[]) : [],
  };
}

/**
 * The whole request as an approver reads it: the conversation it came from (as the card shows it,
 * the message whole), then the request; values of secret-looking fields stay masked.
 */
export function describeRequest(r: ActionRequest): string {
  const ask = askContext(r);
  const lines: string[] = [];
  if (ask?.asked) lines.push(`  ${ask.asked} (${r.context?.sessionWorkflowId ?? 'no session'})`);
  if (ask?.message) lines.push(`    “${ask.message.replace(/\n/g, '\n     ')}”`);
  if (ask?.purpose) lines.push(`  ${ask.purpose}`);
  const lookups = lookupViews(r);
  if (lookups.length > 0) lines.push(`  ${lookupHeading}:`);
  for (const l of lookups) {
    // Like the card: what the result tells the agent to do comes first.
    if (l.instructions) lines.push(`    ${l.instructions.intro}`);
    for (const x of l.instructions?.findings ?? [])
      lines.push(`      ⚠ “${x.sentence}” (${x.reason})`);
    lines.push(...l.result.map((row) => `    ${l.call} → ${row}`), `      ${l.args}`);
  }
  if (r.exchange) {
    // An exchange step: the whole sanitized text and the sanitizer's report, no method or body.
    const ex = exchangeView(r.exchange);
    const by = r.requester?.displayName ? ` (for ${r.requester.displayName})` : '';
    lines.push(`  ${ex.heading}${by}, exchange ${r.exchange.workflowId}:`);
    // Like the card: the sentences that tell the reader to act come before the text.
    if (ex.instructions) lines.push(`  ${ex.instructions.intro}`);
    for (const f of ex.instructions?.findings ?? [])
      lines.push(`    ⚠ “${f.sentence}” (${f.reason})`);
    lines.push(`    “${ex.text.replace(/\n/g, '\n     ')}”`);
    lines.push(`  ${ex.removed}`);
    if (ex.truncated) lines.push(`  ${ex.truncated}`);
    return `${lines.map(terminalSafe).join('\n')}\n`;
  }
  const body = r.body === undefined ? '' : `\n${JSON.stringify(maskSecrets(r.body), null, 2)}`;
  const by = r.requester?.displayName ? ` for ${r.requester.displayName}` : '';
  lines.push(
    `  ${r.agent}${by}: ${r.method.toUpperCase()} ${r.path} on ${r.capability}${body.replace(/\n/g, '\n    ')}`,
  );
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

/** The request a sensitive-action run was started with (decoded with the client's codec). */
export async function startedRequest(
  client: Client,
  handle: Parameters<typeof fromHistory>[1],
): Promise<ActionRequest | undefined> {
  return (await fromHistory(client, handle)).request;
}
