// Activities of the durable-wait probe: tiny, so the restart tests see exactly which worker ran.
import type { DurableWaitActivities } from '../workflows/durable-wait/activities.ts';

/** Build the probe activities. */
export function createProbeActivities(): DurableWaitActivities {
  return {
    /** Acknowledge a release signal, naming the worker process that handled it. */
    stampRelease(input: { token: string }): Promise<{ token: string; handledByPid: number }> {
      return Promise.resolve({ token: input.token, handledByPid: process.pid });
    },
  };
}
