// The activity durableWaitWorkflow calls, as a type (implemented in activities/probe.ts).

/** Activities used by durableWaitWorkflow. */
export interface DurableWaitActivities {
  stampRelease(input: { token: string }): Promise<{ token: string; handledByPid: number }>;
}
