// The workflow id of an agent session, `session:<agentId>:<conversationKey>`: one session per agent
// and conversation, so every message in a Teams chat reaches the same workflow. One definition
// for the code that builds these ids (webhook, CLI) and the code that reads them.

const prefix = 'session:';
const keyPattern = /^[A-Za-z0-9_.-]{1,80}$/;

/** True when `key` may be an agent id or a conversation key (1–80 of A-Z a-z 0-9 _ . -). */
export const isSessionKeyPart = (key: string): boolean => keyPattern.test(key);

/** The workflow id of an agent's session in a conversation. */
export const sessionWorkflowId = (agentId: string, conversationKey: string): string =>
  `${prefix}${agentId}:${conversationKey}`;

/** The agent id and conversation key a session workflow id names, or null. */
export function parseSessionWorkflowId(
  workflowId: string,
): { agentId: string; conversationKey: string } | null {
  if (!workflowId.startsWith(prefix)) return null;
  const [agentId, conversationKey, ...rest] = workflowId.slice(prefix.length).split(':');
  if (rest.length || !agentId || !conversationKey) return null;
  if (!isSessionKeyPart(agentId) || !isSessionKeyPart(conversationKey)) return null;
  return { agentId, conversationKey };
}

/** The task queue of one Docker host's activities (sessions send their sandbox's turns there). */
export const hostTaskQueue = (queue: string, hostId: string): string => `${queue}@${hostId}`;
