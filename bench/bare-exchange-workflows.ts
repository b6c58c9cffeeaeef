// The bare side of bench/exchange.ts: a parent workflow that starts one child workflow, whose one
// activity answers, and returns the answer — a Temporal child-workflow round trip and nothing
// else. Bundled on its own by bench/bare-exchange-worker.ts (no Airlock workflow code).
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

const { bareAnswer } = proxyActivities<{ bareAnswer(question: string): Promise<string> }>({
  startToCloseTimeout: '1 minute',
});

/** The child: one activity, its result returned. */
export async function bareChildWorkflow(question: string): Promise<string> {
  return bareAnswer(question);
}

/** The parent: start the child, wait for its result, return it. */
export async function bareParentWorkflow(question: string): Promise<string> {
  return executeChild(bareChildWorkflow, {
    workflowId: `${workflowInfo().workflowId}.child`,
    args: [question],
  });
}
