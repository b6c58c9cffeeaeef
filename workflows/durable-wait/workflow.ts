// durableWaitWorkflow: waits for a signal for as long as it takes (or until an optional durable
// deadline), then runs one activity. Proves that a wait survives a killed worker and a restarted
// server (the state is Temporal's history) and that days-long timers work under time skipping.
import { condition, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { DurableWaitActivities } from './activities.ts';
import { releaseSignal } from './messages.ts';

const queued = proxyActivities<DurableWaitActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<DurableWaitActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * Input of durableWaitWorkflow; `timeout` is a duration like '3 days' (none: wait forever);
 * `localActivity` runs the activity inside the workflow task instead of through the server's queue
 * (the second bare baseline of bench/approval-latency.ts).
 */
export interface DurableWaitInput {
  purpose: string;
  timeout?: string;
  localActivity?: boolean;
}

/** Wait for `release`, then acknowledge it through an activity; or report expiry. */
export async function durableWaitWorkflow(input: DurableWaitInput) {
  let token: string | undefined;
  setHandler(releaseSignal, (s) => {
    token ??= s.token; // first release wins; duplicates change nothing
  });
  const released = input.timeout
    ? await condition(() => token !== undefined, input.timeout as '1 day')
    : await condition(() => token !== undefined).then(() => true);
  if (!released) return { expired: true as const };
  const { stampRelease } = input.localActivity ? local : queued;
  return { expired: false as const, ...(await stampRelease({ token: token as string })) };
}
