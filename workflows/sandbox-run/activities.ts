// The activities sandboxRunWorkflow calls, as types: the workflow owns this contract and
// activities/sandbox.ts implements it, so workflow code never imports activity code.

/** The outcome of a finished sandbox run. */
export interface SandboxResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Activities used by sandboxRunWorkflow. */
export interface SandboxRunActivities {
  runInSandbox(input: {
    runId: string;
    script: string;
    timeoutMs?: number;
  }): Promise<SandboxResult>;
}
