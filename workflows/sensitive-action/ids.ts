// The workflow id of a sensitive action, `action:<requestId>`: a business key, so starting the same
// request twice finds the same workflow. One definition for the code that builds these ids (the
// CLI, the agent gateway) and the code that checks them (the webhook, the inbox, the signal).

const prefix = 'action:';
const requestIdPattern = /^[A-Za-z0-9_.:-]{1,100}$/;

/** True when `requestId` is 1–100 of A-Z a-z 0-9 _ . : - (what a request id may be). */
export const isRequestId = (requestId: string): boolean => requestIdPattern.test(requestId);

/** The workflow id of a request id. */
export const actionWorkflowId = (requestId: string): string => `${prefix}${requestId}`;

/** True when `workflowId` can name a sensitive action's workflow. */
export const isActionWorkflowId = (workflowId: string): boolean =>
  workflowId.startsWith(prefix) && isRequestId(workflowId.slice(prefix.length));

/** The workflow id `id` names: itself when it starts with `action:`, else its request id's. */
export const toActionWorkflowId = (id: string): string =>
  id.startsWith(prefix) ? id : actionWorkflowId(id);
