// The exchange's activity proxies, shared by workflow.ts and approve.ts: its own steps (short and
// retried) and the ask of an external agent, which the link's time limit bounds.
import { proxyActivities } from '@temporalio/workflow';
import type { AgentExchangeActivities, PinnedLink } from './types.ts';

export const acts = proxyActivities<AgentExchangeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// An external agent answers within the link's time limit; the activity heartbeats while it polls.
export const externalActs = (link: PinnedLink) =>
  proxyActivities<AgentExchangeActivities>({
    // The link's time limit bounds the whole ask, retries included.
    scheduleToCloseTimeout: link.timeLimitMs,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
  });
