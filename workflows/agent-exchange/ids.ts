// The workflow id of an agent-to-agent exchange, `exchange:<id>`. One definition for the code that
// builds these ids (the asker's session) and the code that reads them (CLI, target session).

const prefix = 'exchange:';
const idPattern = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The workflow id of exchange `id`. */
export const exchangeWorkflowId = (id: string): string => `${prefix}${id}`;

/** True when `workflowId` can name an exchange's workflow. */
export const isExchangeWorkflowId = (workflowId: string): boolean =>
  workflowId.startsWith(prefix) && idPattern.test(workflowId.slice(prefix.length));

/** The conversation key of the target session that answers `from`'s questions. */
export const exchangeConversationKey = (from: string): string => `agent-${from}`;
