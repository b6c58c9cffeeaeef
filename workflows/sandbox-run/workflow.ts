// sandboxRunWorkflow: runs a script in a fresh sandbox container and returns its output. The
// thinnest real slice of the stack: Temporal → worker → dockerode → a hardened container.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SandboxRunActivities } from './activities.ts';

const { runInSandbox } = proxyActivities<SandboxRunActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

/** Input of sandboxRunWorkflow. */
export interface SandboxRunInput {
  script: string;
}

/** Run `script` with Node in a sandbox; the workflow id names the container. */
export async function sandboxRunWorkflow(input: SandboxRunInput) {
  return runInSandbox({ runId: workflowInfo().workflowId, script: input.script });
}
