// Checking, recording and executing, in one place. Each batch of clicks the wait (approval.ts)
// judges is checked here (webhook signatures, one local activity; a lone click's decision record
// and, when it approves, the first attempt at the execution in the same one). `execute` ends the
// run as decided, through the vault (idempotency key = workflow id), after the execution ledger's
// claim (src/audit/ledger.ts): a run that finds another's claim sends nothing (`replay-refused`).
import {
  deprecatePatch,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import { capReason, type ApprovalDecision } from './messages.ts';
import { mcpOutcomeText } from './mcp-call.ts';
import type { Run } from './run.ts';
import type { Tally } from './tally.ts';
import {
  replayRefusedType,
  type ActionOutcome,
  type FirstExecution,
  type SensitiveActionActivities,
  type SignatureVerdict,
} from './types.ts';

// Execution must not run twice: one attempt per idempotency key at the remote end is the vault's
// job; here retries are limited and each carries the same key.
const options = { startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } } as const;
// Runs started before the execution became a local activity execute through the server's queue.
const queued = proxyActivities<SensitiveActionActivities>(options);
// Since then: in the worker that holds the run, in the same workflow task as the click (or the
// policy decision) that allows it, with no round trip through the server before the request goes
// out. The retries and the idempotency key are the same; a worker that dies mid-request leaves
// the task to another worker, which sends again with the same key, as a queued retry would.
const local = proxyLocalActivities<SensitiveActionActivities>(options);
// The signature checks are fast and local to the worker.
const checks = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '10 seconds',
});
// The check that also executes may take as long as the execution (the vault's request allows
// 30 s); a timeout here would send the request again while the first is still under way.
const checkAndExecute = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '2 minutes',
});

/** The patch that moved the execution into a local activity; asked once, as the run starts. */
export const executeLocally = 'action-executed-in-a-local-activity';
/**
 * The patch after which the click that approves a request makes the first attempt at executing it
 * in its own local activity (signature check, decision record, execution).
 */
export const executeWithCheck = 'click-checked-and-executed-together';
// Retired (deprecatePatch): since this patch a lone click's signature check also appends its
// decision record. Runs started before it kept two local activities (check, then append); none is
// left: every sensitive action ends by its policy's expiry, and runs recorded since carry the
// marker, which the deprecated patch still accepts (and still records, as the wait starts, so a
// worker still running the patched code replays new runs). Next step: delete the call.
const recordWithCheck = 'decision-recorded-with-signature-check';

/** How this run executes, as its patches say. */
export interface ExecutionPaths {
  /** In a local activity (executeLocally); else queued. */
  here: boolean;
  /** The approving lone click's local activity makes the first attempt (executeWithCheck). */
  withClick: boolean;
}

/**
 * Ask the execution's patches. Call it first thing in the run: their markers then land in the
 * first workflow task and not in the one a click wakes.
 */
export function executionPaths(): ExecutionPaths {
  const here = patched(executeLocally);
  return { here, withClick: here && patched(executeWithCheck) };
}

/** A batch of clicks, checked. */
export interface CheckedBatch {
  /** The signature verdict of each click that would count (the others need none). */
  signatures: Map<ApprovalDecision, SignatureVerdict>;
  /** Append the decision record of a click the tally counted (unless the check already did). */
  record: (click: ApprovalDecision) => Promise<void>;
}

/** Checks the clicks of one batch against the tally as it stands (see checkBatch). */
export type CheckBatch = (tally: Tally, batch: ApprovalDecision[]) => Promise<CheckedBatch>;

/** What the rest of the run asks of the execution. */
export interface Execution {
  /**
   * Start checking clicks. It marks the retired record-with-check patch, so call it once, where
   * the wait starts (before the cards are planned).
   */
  startChecking(): CheckBatch;
  /** Execute the request (or end with the first attempt's answer); executed, failed or refused. */
  execute(): Promise<Pick<ActionOutcome, 'outcome' | 'message' | 'result'>>;
}

/** The audit detail of a counted click, before the signature check adds its signer. */
const decisionDetail = (click: ApprovalDecision) => ({
  choice: click.choice,
  reason: capReason(click.reason),
  decisionId: click.decisionId,
  grant: click.grant,
});

/** The execution of `run`, on the paths its patches chose (an exchange step never executes). */
export function execution(run: Run, paths: ExecutionPaths): Execution {
  const withClick = paths.withClick && !run.request.exchange;
  let first: FirstExecution | undefined;
  return {
    startChecking() {
      deprecatePatch(recordWithCheck);
      return async (tally, batch) => {
        const checked = await checkBatch(run, tally, batch, withClick);
        const { signatures, recorded, execution: made } = checked;
        first ??= made;
        const record = async (click: ApprovalDecision) => {
          if (click === recorded) return;
          const signature = signatures.get(click);
          await run.audit('decision', {
            approver: click.approver,
            detail: {
              ...decisionDetail(click),
              ...(signature?.ok && signature.keyId ? { signedBy: signature.keyId } : {}),
              ...(signature?.ok && signature.warning ? { warning: signature.warning } : {}),
            },
          });
        };
        return { signatures, record };
      };
    },
    execute: () => execute(run, paths.here, first),
  };
}

/**
 * The webhook's signature verdict for each click of `batch` that would count; the others are
 * refused by the tally anyway and need no check (a refusal stays a refusal as the tally moves).
 * When the only such click comes first in its batch (the usual lone click), nothing judged before
 * it can change its verdict, so its decision record is built now and appended by the same local
 * activity once its signature holds (`recorded`): one local activity before the execution, not
 * two. When that click also approves the request, the same local activity makes the first attempt
 * at the execution (`execution`), after the record. A click refused for its signature leaves its
 * record's id unused (ids only need be unique) and executes nothing.
 */
async function checkBatch(
  run: Run,
  tally: Tally,
  batch: ApprovalDecision[],
  withClick: boolean,
): Promise<{
  signatures: Map<ApprovalDecision, SignatureVerdict>;
  recorded?: ApprovalDecision | undefined;
  execution?: FirstExecution | undefined;
}> {
  const pending = batch.filter((click) => tally.check(click) === null);
  if (pending.length === 0) return { signatures: new Map() };
  const { workflowId, request, decision } = run;
  const lone = pending.length === 1 && pending[0] === batch[0] ? pending[0] : undefined;
  const record = (click: ApprovalDecision) =>
    run.auditEntry('decision', { approver: click.approver, detail: decisionDetail(click) });
  let verdicts: SignatureVerdict[];
  let execution: FirstExecution | undefined;
  if (lone && withClick && !lone.grant && tally.wouldApprove(lone)) {
    ({ verdicts, execution } = await checkAndExecute.checkRecordAndExecute({
      workflowId,
      decisions: pending,
      record: record(lone),
      request,
      decision,
    }));
  } else if (lone) {
    verdicts = await checks.checkDecisionsAndRecordFirst({
      workflowId,
      decisions: pending,
      record: record(lone),
    });
  } else verdicts = await checks.checkDecisionSignatures({ workflowId, decisions: pending });
  const unchecked: SignatureVerdict = { ok: false, why: 'signature not checked' };
  const signatures = new Map(pending.map((click, i) => [click, verdicts[i] ?? unchecked]));
  const ok = lone !== undefined && signatures.get(lone)?.ok === true;
  return { signatures, recorded: ok ? lone : undefined, execution: ok ? execution : undefined };
}

/**
 * Execute the run's request (in a local activity when `here`, see executeLocally), unless the
 * approving click's check already did (`first`; when that attempt threw, it is sent again here,
 * with the same idempotency key); the outcome is executed or failed, with the API's answer.
 */
async function execute(
  run: Run,
  here: boolean,
  first?: FirstExecution,
): Promise<Pick<ActionOutcome, 'outcome' | 'message' | 'result'>> {
  const { workflowId, request, decision } = run;
  if (first && 'refused' in first) return refuse(run, first.refused);
  try {
    const result =
      first && 'result' in first
        ? first.result
        : await (here ? local : queued).executeAction({ workflowId, request, decision });
    // An MCP call's outcome names the tool, and a failure says why in the hub's or tool's words.
    const mcp = mcpOutcomeText(request, result);
    if (result.status >= 400) {
      run.setState('failed', mcp ?? `Executed, but the API answered HTTP ${result.status}`);
      // An MCP call's record says why (a held tool, a crash, the tool's error), in the hub's words.
      await run.audit('failed', {
        detail: { status: result.status, ...(mcp ? { why: mcp } : {}) },
      });
      return {
        outcome: 'failed',
        message:
          mcp ??
          `Executed ${request.method} ${request.path}, but the API answered HTTP ${result.status}`,
        result,
      };
    }
    run.setState('executed', mcp ?? `Executed: HTTP ${result.status}`);
    await run.audit('executed', { detail: { status: result.status, truncated: result.truncated } });
    return {
      outcome: 'executed',
      message: mcp ?? `Executed ${request.method} ${request.path}: HTTP ${result.status}`,
      result,
    };
  } catch (err) {
    // Compared by failure type, not instanceof: a queued activity's failure arrives as the cause
    // of an ActivityFailure, a local activity's as the ApplicationFailure itself.
    const refused = [err, (err as { cause?: unknown }).cause].find(
      (e) => (e as { type?: unknown } | undefined)?.type === replayRefusedType,
    );
    if (refused) return refuse(run, (refused as Error).message);
    const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    run.setState('failed', `Execution failed: ${why}`);
    await run.audit('failed', { detail: { error: why } });
    return { outcome: 'failed', message: `Approved, but execution failed: ${why}` };
  }
}

/** End a run whose execution the ledger refused: nothing was sent; say so and audit it. */
async function refuse(
  run: Run,
  why: string,
): Promise<Pick<ActionOutcome, 'outcome' | 'message' | 'result'>> {
  const { workflowId, request } = run;
  const { runId } = workflowInfo();
  run.setState('replay-refused', `Not executed: another run of ${workflowId} already claimed it`);
  await run.audit('replay-refused', { detail: { runId, why } });
  return {
    outcome: 'replay-refused',
    message: `Not executed: ${request.method} ${request.path} of ${workflowId} was already claimed for execution by another run (${why})`,
  };
}
