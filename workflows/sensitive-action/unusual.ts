// What is unusual about a request next to its agent's history under the same rule ("amount 4,800
// EUR — 12× this agent's median"), shown on its cards. A local activity computes it from the audit
// log index the worker keeps in memory, in the same workflow task that decides to ask, and its
// result is pinned in history before the first card is planned (runs started when it was a regular
// activity keep that). A run recorded before this step existed (no patch marker) and a comparison
// that fails both go on without findings: the approval is never held up by it.
import { log, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Run } from './run.ts';
import type { UnusualActivities, UnusualFinding } from './types.ts';

// One try, briefly: the findings are advice, and the cards wait for them.
const once = { startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } } as const;
const acts = proxyActivities<UnusualActivities>(once);
const local = proxyLocalActivities<UnusualActivities>(once);

/** The findings as a card input carries them: only when there are any. */
export const unusual = (findings: UnusualFinding[]): { findings?: UnusualFinding[] } =>
  findings.length > 0 ? { findings } : {};

/** The findings for this run's request (empty when nothing stands out or the comparison failed). */
export async function unusualFindings(run: Run): Promise<UnusualFinding[]> {
  if (!patched('unusual-findings')) return [];
  // A local activity: no task queue round trip and no extra workflow task before the card.
  const compare = patched('unusual-findings-local') ? local : acts;
  try {
    return await compare.compareWithHistory({
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
