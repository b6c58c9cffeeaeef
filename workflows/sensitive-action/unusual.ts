// What is unusual about a request next to its agent's history under the same rule ("amount 4,800
// EUR — 12× this agent's median"), shown on its cards. An activity computes it from the audit log
// and its result is pinned in history before the first card is planned. A run recorded before this
// step existed (no patch marker) and a comparison that fails both go on without findings: the
// approval is never held up by it.
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Run } from './run.ts';
import type { ActionRequest } from './types.ts';

/** One thing that stands out, e.g. a field far from the agent's median or a first-time path. */
export interface UnusualFinding {
  kind: 'ratio' | 'new-path' | 'new-value' | 'rate' | 'first-request';
  /** The body field (or `path`) it is about; null for the rate and a first request. */
  field: string | null;
  /** This request's value (a string value as typed, capped). */
  value: string | number | null;
  /** What it is compared with: the median, the number of earlier requests, the window. */
  baseline: string | number | null;
  /** The line the card shows, e.g. "3rd request in 10 minutes". */
  text: string;
}

/** The comparison activity (implemented in activities/unusual.ts). */
export interface UnusualActivities {
  /** Findings for `request` against `agent`'s earlier requests under `rule`, as of `at`. */
  compareWithHistory(input: {
    workflowId: string;
    rule: string;
    request: ActionRequest;
    at: string;
  }): Promise<UnusualFinding[]>;
}

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
