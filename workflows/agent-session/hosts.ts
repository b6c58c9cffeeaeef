// Where a session's sandbox activities run. A sandbox lives on one Docker host, beside the worker
// that runs its gateway; every worker also polls its host's own queue, `<queue>@<host>`. A session
// sends its turns (and the idle stop) to the host its last turn ran on. When that host is gone
// (nobody takes the task within a short wait), the turn goes back to the shared queue, any host
// takes it, and the sandbox is created there: the session moves.
import {
  ActivityFailure,
  proxyActivities,
  TimeoutFailure,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { hostTaskQueue } from './ids.ts';
import type { AgentSessionActivities } from './types.ts';

/** How long a task waits on a host's queue before the host counts as gone. */
export const hostWaitMs = 20_000;

const turnOptions: ActivityOptions = {
  // The agent may work for a while; the heartbeat notices a lost worker within seconds.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 4 },
};
const choreOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
};
const shared = {
  turns: proxyActivities<AgentSessionActivities>(turnOptions),
  chores: proxyActivities<AgentSessionActivities>(choreOptions),
};

/** The session activities for `host` (null: the shared queue, any host). */
export function onHost(host: string | null | undefined): typeof shared {
  if (!host) return shared;
  const pinned = {
    taskQueue: hostTaskQueue(workflowInfo().taskQueue, host),
    scheduleToStartTimeout: hostWaitMs,
  };
  return {
    turns: proxyActivities<AgentSessionActivities>({ ...turnOptions, ...pinned }),
    chores: proxyActivities<AgentSessionActivities>({
      ...choreOptions,
      ...pinned,
      retry: { ...choreOptions.retry, maximumAttempts: 3 },
    }),
  };
}

/** True when `err` says nobody on the host's queue took the task: the host is gone. */
export function hostGone(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}
