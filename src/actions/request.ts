// Starting sensitive actions: the typed client function the CLI and the agent gateway call.
// Starting the same request id twice returns the existing workflow instead of creating a second one.
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Config } from '../config.ts';
import { requestHash } from './request-hash.ts';
import {
  ActionKind,
  AgentId,
  ApprovalState,
  Capability,
} from '../../workflows/sensitive-action/search.ts';
import { actionWorkflowId, isRequestId } from '../../workflows/sensitive-action/ids.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';

/** Start (or find) the workflow for `request`; `requestId` defaults to a hash of the request. */
export async function requestAction(
  client: Client,
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>,
  request: ActionRequest,
  requestId: string = requestHash(request).slice(0, 20),
): Promise<{
  workflowId: string;
  handle: WorkflowHandle<typeof sensitiveActionWorkflow>;
}> {
  if (!isRequestId(requestId)) throw new Error('request id must be 1–100 of A-Z a-z 0-9 _ . : -');
  const workflowId = actionWorkflowId(requestId);
  try {
    const handle = await client.workflow.start<typeof sensitiveActionWorkflow>(
      'sensitiveActionWorkflow',
      {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId,
        args: [{ request }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: new TypedSearchAttributes([
          { key: AgentId, value: request.agent },
          { key: Capability, value: request.capability },
          { key: ActionKind, value: `${request.method.toUpperCase()} ${request.capability}` },
          { key: ApprovalState, value: 'deciding' },
        ]),
        staticSummary: `${request.agent} asks to ${request.method.toUpperCase()} ${request.path} via ${request.capability}`,
        staticDetails: `Sensitive action ${workflowId}. Request hash ${requestHash(request).slice(0, 12)}. Requested by ${request.requester?.displayName ?? request.agent}.`,
      },
    );
    return { workflowId, handle };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // REJECT_DUPLICATE: the request already ran to completion; its workflow is the answer.
      return { workflowId, handle: client.workflow.getHandle(workflowId) };
    }
    throw err;
  }
}
