// From a verified click to Temporal: signal the action's workflow. The Temporal service accepts a
// signal even while every worker is down, so a click during a deploy is kept. Only sensitive-action
// workflows can be signalled this way: a button value pointing anywhere else is refused.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../../log.ts';
import { isActionWorkflowId } from '../../../workflows/sensitive-action/ids.ts';
import {
  approvalDecisionSignal,
  type ApprovalDecision,
} from '../../../workflows/sensitive-action/messages.ts';
import type { OnDecision } from '../../chat/agents/receiver.ts';

/**
 * True when `workflowId` names a sensitive action's workflow; otherwise logs that the click is
 * ignored. Shared by everything that takes clicks in (the signal here, the local inbox).
 */
export function namesSensitiveAction(
  workflowId: string,
  decision: ApprovalDecision,
  logger: Logger,
): boolean {
  if (isActionWorkflowId(workflowId)) return true;
  logger.warn(
    { workflowId, approver: decision.approver.displayName },
    'click names no sensitive action; ignored',
  );
  return false;
}

/** The onDecision of the webhook server: signal `approvalDecision` to the action's workflow. */
export function signalDecision(client: Client, logger: Logger): OnDecision {
  return async (workflowId, decision) => {
    if (!namesSensitiveAction(workflowId, decision, logger)) return;
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
