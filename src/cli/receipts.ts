// `airlock approvals receipt <requestId|workflowId>` prints the signed decisions of a request as
// JSON receipts; `airlock receipts verify <file|->` checks receipts offline with the webhook's
// public keys (AIRLOCK_DECISION_PUBLIC_KEYS or --public-key) and says who decided what.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { toActionWorkflowId } from '../../workflows/sensitive-action/ids.ts';
import { processEnv } from '../config.ts';
import { parsePublicKeys, type DecisionPublicKey } from '../receipts/keys.ts';
import { checkReceipt, describeReceipt } from '../receipts/receipt.ts';
import { statusQuery, type DecisionReceipt } from '../../workflows/sensitive-action/messages.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import { withClient } from './client.ts';
import type { CliIo } from './io.ts';

type Env = Record<string, string | undefined>;

const receiptUsage = `usage:
  airlock approvals receipt <request-id|workflow-id>
`;
/** Usage of `airlock receipts`. */
export const usage = `usage:
  airlock receipts verify <file|-> [--public-key BASE64_SPKI_DER]...
      (default keys: AIRLOCK_DECISION_PUBLIC_KEYS)
`;

/** Run `airlock approvals receipt …`: print the request's receipts (a JSON array). */
export async function runApprovalReceipt(
  args: string[],
  io: CliIo,
  env: Env = processEnv(),
): Promise<number> {
  const [id] = args;
  if (!id || args.length > 1) {
    io.stderr(receiptUsage);
    return 2;
  }
  const workflowId = toActionWorkflowId(id);
  return withClient(env, async (client) => {
    const handle = client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId);
    const described = await handle.describe();
    // A finished run answers from its result (no worker needed); a running one from its query.
    const decisions =
      described.status.name === 'COMPLETED'
        ? (await handle.result()).decidedBy
        : (await handle.query(statusQuery)).decisions;
    const receipts: DecisionReceipt[] = decisions.flatMap((d) => (d.receipt ? [d.receipt] : []));
    if (receipts.length === 0) {
      io.stderr(`airlock approvals: ${workflowId} has no signed decisions\n`);
      return 1;
    }
    io.stdout(`${JSON.stringify(receipts, null, 2)}\n`);
    return 0;
  });
}

/** Run `airlock receipts …`. */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { 'public-key': { type: 'string', multiple: true } },
  });
  const source = positionals[0];
  if (command !== 'verify' || !source || positionals.length > 1) {
    io.stderr(usage);
    return 2;
  }
  let keys: DecisionPublicKey[];
  try {
    keys = parsePublicKeys(
      values['public-key']?.join(',') ?? env['AIRLOCK_DECISION_PUBLIC_KEYS'] ?? '',
    );
  } catch (err) {
    io.stderr(`airlock receipts: ${(err as Error).message}\n`);
    return 2;
  }
  if (keys.length === 0) {
    io.stderr(
      `airlock receipts: no public key (set AIRLOCK_DECISION_PUBLIC_KEYS or --public-key)\n`,
    );
    return 2;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source === '-' ? await io.stdin() : await readFile(source, 'utf8'));
  } catch (err) {
    io.stderr(`airlock receipts: cannot read a JSON receipt: ${(err as Error).message}\n`);
    return 1;
  }
  // One receipt, or the array `airlock approvals receipt` prints: every one must verify.
  const receipts = Array.isArray(parsed) ? parsed : [parsed];
  if (receipts.length === 0) {
    io.stderr('airlock receipts: no receipt in the input\n');
    return 1;
  }
  let failed = 0;
  for (const [i, receipt] of receipts.entries()) {
    const checked = checkReceipt(receipt, keys);
    const label = receipts.length > 1 ? `receipt ${i + 1}: ` : '';
    if (checked.ok) io.stdout(`${label}valid: ${describeReceipt(checked.facts)}\n`);
    else {
      failed++;
      io.stdout(`${label}INVALID: ${checked.why}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}
