// Search attribute keys of agent sessions: how operators find them in the Temporal UI
// (`AgentId = "support-bot" AND SessionState = "working"`). Ids and states only, never text.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export { AgentId } from '../sensitive-action/search.ts';
export const SessionState = defineSearchAttributeKey('SessionState', SearchAttributeType.KEYWORD);
export const AgentLastActivity = defineSearchAttributeKey(
  'AgentLastActivity',
  SearchAttributeType.DATETIME,
);
