// `airlock exchanges list|show`: operators see the questions agents ask each other. `list` reads
// the visibility store (search attributes only: who, whom, state; never text); `show` asks a
// running or finished exchange its status query: the sanitized question and what was removed, the
// approvals, and the answer, whose text is printed only when the exchange completed (an answer that
// was rejected or never approved stays withheld here too). Agent-written text is printed inert.
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { processEnv } from '../config.ts';
import { AirlockError } from '../errors.ts';
import { id as agentId } from '../policy/fields.ts';
import { exchangeWorkflowId, isExchangeWorkflowId } from '../../workflows/agent-exchange/ids.ts';
import {
  exchangeStatusQuery,
  type ExchangeState as State,
  type ExchangeStatus,
  type SanitizedText,
} from '../../workflows/agent-exchange/messages.ts';
import { ExchangeState, FromAgent, ToAgent } from '../../workflows/agent-exchange/search.ts';
import { queryWithin, withClient } from './client.ts';
import { stringOptions, terminalSafe, type CliIo } from './io.ts';

type Env = Record<string, string | undefined>;

const states: readonly State[] = [
  'submitted',
  'working',
  'completed',
  'rejected',
  'canceled',
  'failed',
];

/** Usage of `airlock exchanges`. */
export const usage = `usage:
  airlock exchanges list [--from AGENT] [--to AGENT] [--state ${states.join('|')}] [--json]
  airlock exchanges show <exchange-id|workflow-id>
`;

/** One exchange as `list` shows it. */
export interface ExchangeRow {
  workflowId: string;
  from: string;
  to: string;
  state: string;
  /** The run's status (Running, Completed, Terminated…). */
  status: string;
  started: string;
}

/** The visibility query for `list`'s filters; throws AirlockError `bad_filter` on a bad value. */
export function listQuery(filters: { from?: string; to?: string; state?: string }): string {
  const parts = ['WorkflowType = "agentExchangeWorkflow"'];
  for (const [flag, key] of [
    ['from', FromAgent.name],
    ['to', ToAgent.name],
  ] as const) {
    const value = filters[flag];
    if (value === undefined) continue;
    if (!agentId.safeParse(value).success)
      throw new AirlockError('bad_filter', `--${flag} must be an agent id (got "${value}")`);
    parts.push(`${key} = "${value}"`);
  }
  if (filters.state !== undefined) {
    if (!(states as readonly string[]).includes(filters.state))
      throw new AirlockError('bad_filter', `--state must be one of ${states.join(', ')}`);
    parts.push(`${ExchangeState.name} = "${filters.state}"`);
  }
  return parts.join(' AND ');
}

/** Every exchange matching `query`, newest first (as the server orders them). */
export async function listExchanges(client: Client, query: string): Promise<ExchangeRow[]> {
  const rows: ExchangeRow[] = [];
  for await (const w of client.workflow.list({ query })) {
    const sa = w.typedSearchAttributes;
    rows.push({
      workflowId: w.workflowId,
      from: sa.get(FromAgent) ?? '?',
      to: sa.get(ToAgent) ?? '?',
      state: sa.get(ExchangeState) ?? '?',
      status: w.status.name,
      started: w.startTime.toISOString(),
    });
  }
  return rows;
}

/** Indent every line of `text` by `pad`. */
const indent = (text: string, pad: string): string => pad + text.replace(/\n/g, `\n${pad}`);

function crossing(label: string, t: SanitizedText, showText: boolean, withheld: string): string[] {
  const notes = [
    `${t.removed.length} removal${t.removed.length === 1 ? '' : 's'}`,
    ...(t.truncated ? ['truncated'] : []),
  ];
  const lines = [`  ${label} (sanitized; ${notes.join(', ')}):`];
  lines.push(showText ? indent(t.text, '    ') : `    ${withheld}`);
  for (const r of t.removed) lines.push(`    removed ${r.kind}: ${JSON.stringify(r.excerpt)}`);
  return lines;
}

/** The status as the terminal shows it; agent-written text made inert. */
export function describeExchange(workflowId: string, s: ExchangeStatus): string {
  const rows: [string, string | undefined][] = [
    ['from', s.from],
    ['to', s.to],
    ['state', `${s.state} (step ${s.step})`],
    ['reason', s.reason],
    ['target session', s.targetSession],
    ['started', s.startedAt],
    ['ended', s.endedAt],
  ];
  const lines = [workflowId];
  for (const [k, v] of rows) if (v !== undefined) lines.push(`  ${`${k}:`.padEnd(16)}${v}`);
  if (s.question) lines.push(...crossing('question', s.question, true, ''));
  else lines.push('  question:       none (refused before sanitizing)');
  lines.push(`  approvals:      ${s.approvals.length === 0 ? 'none' : ''}`.trimEnd());
  for (const a of s.approvals)
    lines.push(`    ${a.step.padEnd(9)} ${a.workflowId}  ${a.outcome ?? 'pending'}`);
  if (s.answer)
    lines.push(
      ...crossing(
        'answer',
        s.answer,
        s.state === 'completed',
        `withheld: the exchange is ${s.state}, so the answer was not delivered`,
      ),
    );
  else lines.push('  answer:         none');
  return `${terminalSafe(lines.join('\n'))}\n`;
}

/** The exchange's status, or null when there is no such workflow; a query unanswered within `ms` throws. */
export async function exchangeStatus(
  client: Client,
  workflowId: string,
  ms = 5_000,
): Promise<ExchangeStatus | null> {
  return queryWithin(client, workflowId, exchangeStatusQuery, { ms, code: 'exchange_unreachable' });
}

/** Run `airlock exchanges …`. */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ...stringOptions('from', 'to', 'state'), json: { type: 'boolean' } },
  });
  if (command === 'list') {
    let query: string;
    try {
      query = listQuery(values);
    } catch (err) {
      io.stderr(`airlock exchanges: ${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    return withClient(env, async (client) => {
      const rows = await listExchanges(client, query);
      if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) io.stdout('no exchanges match\n');
      else
        for (const r of rows)
          io.stdout(
            terminalSafe(
              `${r.workflowId}  ${r.from} -> ${r.to}  ${r.state.padEnd(9)} ${r.status}  started ${r.started}\n`,
            ),
          );
      return 0;
    });
  }
  const target = positionals[0];
  if (command === 'show' && target && positionals.length === 1) {
    const workflowId = target.startsWith('exchange:') ? target : exchangeWorkflowId(target);
    if (!isExchangeWorkflowId(workflowId)) {
      io.stderr(`airlock exchanges: "${terminalSafe(target)}" is not an exchange id\n`);
      return 2;
    }
    return withClient(env, async (client) => {
      const status = await exchangeStatus(client, workflowId);
      if (!status) {
        io.stderr(`airlock exchanges: no exchange ${workflowId}\n`);
        return 1;
      }
      io.stdout(describeExchange(workflowId, status));
      return 0;
    });
  }
  io.stderr(usage);
  return 2;
}
