// `airlock audit verify|export`: check the hash chain of the audit log, and export it (all of it
// or since a time) as JSON lines or CSV for a security reviewer's spreadsheet.
import { parseArgs } from 'node:util';
import { openAuditLog } from '../audit/open.ts';
import type { AuditRecord } from '../audit/log.ts';
import { loadConfig, processEnv } from '../config.ts';
import type { CliIo } from './io.ts';

type Env = Record<string, string | undefined>;

/** Usage of `airlock audit`. */
export const usage = `usage:
  airlock audit verify                                   check the hash chain (exit 1 if broken)
  airlock audit export [--since ISO-time] [--format jsonl|csv]
`;

const csvColumns = [
  'seq',
  'at',
  'type',
  'workflowId',
  'agent',
  'capability',
  'approver',
  'approverAadObjectId',
  'approverTenantId',
  'requestHash',
  'policyRule',
  'policyHash',
  'detail',
  'prevHash',
  'hash',
] as const;

/** Run `airlock audit …`; `env` replaces the process environment (tests). */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  const log = openAuditLog(loadConfig(env));
  if (command === 'verify') {
    const result = await log.verify();
    if (result.ok) {
      io.stdout(
        `audit log OK: ${result.count} records, head ${result.head.slice(0, 16)} (${log.where})\n`,
      );
      return 0;
    }
    io.stderr(
      `audit log BROKEN at record ${result.seq}: ${result.problem} (${result.count} records verified before it; ${log.where})\n`,
    );
    return 1;
  }
  if (command === 'export') {
    const { values } = parseArgs({
      args: rest,
      options: { since: { type: 'string' }, format: { type: 'string', default: 'jsonl' } },
    });
    const since = values.since ? Date.parse(values.since) : -Infinity;
    if (Number.isNaN(since)) {
      io.stderr(`airlock audit: --since must be an ISO time, e.g. 2026-11-25T00:00:00Z\n`);
      return 2;
    }
    if (values.format !== 'jsonl' && values.format !== 'csv') {
      io.stderr(`airlock audit: --format must be jsonl or csv\n`);
      return 2;
    }
    const records = (await log.read()).filter((r) => Date.parse(r.at) >= since);
    if (values.format === 'jsonl') for (const r of records) io.stdout(`${JSON.stringify(r)}\n`);
    else {
      io.stdout(`${csvColumns.join(',')}\n`);
      for (const r of records)
        io.stdout(`${csvColumns.map((c) => csvCell(cell(r, c))).join(',')}\n`);
    }
    return 0;
  }
  io.stderr(
    command && command !== 'help'
      ? `airlock audit: unknown command "${command}"\n\n${usage}`
      : usage,
  );
  return command === 'help' ? 0 : 2;
}

function cell(r: AuditRecord, column: (typeof csvColumns)[number]): unknown {
  switch (column) {
    case 'approver':
      return r.approver?.displayName;
    case 'approverAadObjectId':
      return r.approver?.aadObjectId;
    case 'approverTenantId':
      return r.approver?.tenantId;
    case 'detail':
      return r.detail ? JSON.stringify(r.detail) : undefined;
    default:
      return r[column];
  }
}

/** One CSV cell: quoted when needed; a leading = + - @ is prefixed so spreadsheets don't run it. */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let s = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
