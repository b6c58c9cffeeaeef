// What is unusual about a request next to its agent's history under the same rule ("amount 4,800
// EUR — 12× this agent's median"), shown on its cards. An activity computes it from the audit log
// and its result is pinned in history before the first card is planned. A run recorded before this
// step existed (no patch marker) and a comparison that fails both go on without findings: the
// approval is never held up by it.
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Run } from './run.ts';
import type { UnusualActivities, UnusualFinding } from './types.ts';

// One try, briefly: the findings are advice, and the cards wait for them.
const acts = proxyActivities<UnusualActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

/** The findings as a card input carries them: only when there are any. */
export const unusual = (findings: UnusualFinding[]): { findings?: UnusualFinding[] } =>
  findings.length > 0 ? { findings } : {};

/** The findings for this run's request (empty when nothing stands out or the comparison failed). */
export async function unusualFindings(run: Run): Promise<UnusualFinding[]> {
  if (!patched('unusual-findings')) return [];
  try {
    return await acts.compareWithHistory({
      workflowId: run.workflowId,
      rule: run.decision.rule ?? '(none)',
      request: run.request,
      at: new Date().toISOString(),
    });
  } catch (err) {
    log.warn('history comparison failed; cards go out without it', {
      workflowId: run.workflowId,
      error: String((err as Error).cause ?? err),
    });
    return [];
  }
}
