// Executing the allowed or approved request, exactly as it was decided, through the vault (the
// idempotency key is the workflow id), and saying truthfully how it went. The activity claims the
// request id in the execution ledger first (src/audit/ledger.ts): a run that finds another run's
// claim (a reset, or a fresh start of a closed id) executes nothing and ends `replay-refused`.
import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { FirstExecution } from './approval.ts';
import type { Run } from './run.ts';
import { replayRefusedType, type ActionOutcome, type SensitiveActionActivities } from './types.ts';

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

/** The patch that moved the execution into a local activity; asked once, as the run starts. */
export const executeLocally = 'action-executed-in-a-local-activity';
/**
 * The patch after which the click that approves a request makes the first attempt at executing it
 * in its own local activity (signature check, decision record, execution: approval.ts).
 */
export const executeWithCheck = 'click-checked-and-executed-together';

/**
 * Execute the run's request (in a local activity when `here`, see executeLocally), unless the
 * approving click's check already did (`first`; when that attempt threw, it is sent again here,
 * with the same idempotency key); the outcome is executed or failed, with the API's answer.
 */
export async function execute(
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
    if (result.status >= 400) {
      run.setState('failed', `Executed, but the API answered HTTP ${result.status}`);
      await run.audit('failed', { detail: { status: result.status } });
      return {
        outcome: 'failed',
        message: `Executed ${request.method} ${request.path}, but the API answered HTTP ${result.status}`,
        result,
      };
    }
    run.setState('executed', `Executed: HTTP ${result.status}`);
    await run.audit('executed', { detail: { status: result.status, truncated: result.truncated } });
    return {
      outcome: 'executed',
      message: `Executed ${request.method} ${request.path}: HTTP ${result.status}`,
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
