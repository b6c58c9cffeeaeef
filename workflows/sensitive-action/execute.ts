// Executing the allowed or approved request, exactly as it was decided, through the vault (the
// idempotency key is the workflow id), and saying truthfully how it went.
import { proxyActivities } from '@temporalio/workflow';
import type { Run } from './run.ts';
import type { ActionOutcome, SensitiveActionActivities } from './types.ts';

// Execution must not run twice: one attempt per idempotency key at the remote end is the vault's
// job; here retries are limited and each carries the same key.
const exec = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

/** Execute the run's request; the outcome is executed or failed, with the API's answer. */
export async function execute(
  run: Run,
): Promise<Pick<ActionOutcome, 'outcome' | 'message' | 'result'>> {
  const { workflowId, request, decision } = run;
  try {
    const result = await exec.executeAction({ workflowId, request, decision });
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
    const why = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    run.setState('failed', `Execution failed: ${why}`);
    await run.audit('failed', { detail: { error: why } });
    return { outcome: 'failed', message: `Approved, but execution failed: ${why}` };
  }
}
