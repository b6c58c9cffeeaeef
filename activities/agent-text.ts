// The session's text activity: an action outcome's reason that quotes outside text (an approver's
// typed reason, an execution error) made readable for the agent by the one choke point,
// `agentReason` (src/agents/agent-text.ts). An action has no link, so its level is `strict`.
import { agentReason } from '../src/agents/agent-text.ts';
import type { AgentTextActivities } from '../workflows/agent-session/types.ts';

/** Build the session's text activity. */
export function createAgentTextActivities(): AgentTextActivities {
  return {
    sanitizeOutcomeReason: ({ reason }) => Promise.resolve(agentReason(reason, 'strict')),
  };
}
