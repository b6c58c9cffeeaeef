// Activities of the durable-wait probe: tiny, so the restart tests see exactly which worker ran.

/** Build the probe activities. */
export function createProbeActivities() {
  return {
    /** Acknowledge a release signal, naming the worker process that handled it. */
    stampRelease(input: { token: string }): Promise<{ token: string; handledByPid: number }> {
      return Promise.resolve({ token: input.token, handledByPid: process.pid });
    },
  };
}
