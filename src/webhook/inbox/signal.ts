// From a kept click to Temporal: signal the action's workflow. The Temporal service accepts a
// signal even while every worker is down, so a click during a deploy is kept. Only sensitive-action
// workflows are signalled this way: the edge checked the workflow id of every click the inbox
// keeps (clicks.ts), and the inbox's lines are sealed (auth.ts).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../../log.ts';
import { approvalDecisionSignal } from '../../../workflows/sensitive-action/messages.ts';
import type { Deliver } from './inbox.ts';

/** The inbox's delivery: signal `approvalDecision` to the action's workflow. */
export function signalDecision(client: Client, logger: Logger): Deliver {
  return async (workflowId, decision) => {
    try {
      await client.workflow.getHandle(workflowId).signal(approvalDecisionSignal, decision);
    } catch (err) {
      // A click on a card whose request is gone (finished long ago, or never existed) has nothing
      // to change; any other failure propagates so the platform retries the delivery.
      if (err instanceof WorkflowNotFoundError) {
        logger.warn(
          { workflowId, approver: decision.approver.displayName },
          'click for a finished or unknown request; ignored',
        );
        return;
      }
      throw err;
    }
  };
}
