// The workflow id of an agent-to-agent exchange, `exchange:<id>`. One definition for the code that
// builds these ids (the asker's session) and the code that reads them (CLI, target session).

const prefix = 'exchange:';
const idPattern = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The workflow id of exchange `id`. */
export const exchangeWorkflowId = (id: string): string => `${prefix}${id}`;

/** True when `workflowId` can name an exchange's workflow. */
export const isExchangeWorkflowId = (workflowId: string): boolean =>
  workflowId.startsWith(prefix) && idPattern.test(workflowId.slice(prefix.length));

/** The asker an external A2A client is, in links and exchanges: `a2a:<client id>`. */
export const a2aAsker = (client: string): string => `a2a:${client}`;

/** True when `from` is an external A2A client rather than an agent. */
export const isA2AAsker = (from: string): boolean => from.startsWith('a2a:');

/**
 * The conversation key of the target session that answers `from`'s questions: `agent-<from>`, or
 * `a2a-<client>` for an external client (a key has no ":", and no agent id makes `a2a-…` from
 * `agent-…`, so the two never share a session).
 */
export const exchangeConversationKey = (from: string): string =>
  isA2AAsker(from) ? `a2a-${from.slice('a2a:'.length)}` : `agent-${from}`;
