// The sensitive request a session's agent makes, built from what the session knows (never from
// what the box sends beyond the ask itself): the requester, the turn's other people and origins,
// the message that led to it and the turn's lookups. The agentAction update builds it in the
// workflow; the turn activity's fast path for allowed MCP calls builds the same one on the host.
import type { ActionRequest, TurnLookup } from '../sensitive-action/request.ts';
import type { AgentActionAsk, ConversationRef } from './messages.ts';
import { coRequesters, requesterOf } from './origin.ts';
import type { SessionRef, TurnAsker } from './types.ts';

/** The request `ask` becomes in session `ref`, asked by `asker`, after `lookedUp`. */
export function sessionRequest(
  ref: Pick<SessionRef, 'agentId' | 'sessionId' | 'workflowId'>,
  conversation: Pick<ConversationRef, 'label'>,
  ask: Omit<AgentActionAsk, 'turn'>,
  asker: TurnAsker,
  lookedUp: TurnLookup[],
): ActionRequest {
  const { from, origin } = asker;
  const others = coRequesters({ requester: () => from, origin: () => origin }).coRequesters ?? [];
  return {
    agent: ref.agentId,
    capability: ask.capability,
    method: ask.method,
    path: ask.path,
    ...(ask.body === undefined ? {} : { body: ask.body }),
    ...(from ? { requester: requesterOf(from) } : {}),
    ...(others.length > 0 ? { coRequesters: others.map(requesterOf) } : {}),
    ...(origin ? { origins: [...origin.origins] } : {}),
    sessionId: ref.sessionId,
    purpose: ask.purpose,
    context: {
      sessionWorkflowId: ref.workflowId,
      conversation: conversation.label,
      message: asker.message,
      ...(lookedUp.length > 0 ? { lookups: lookedUp } : {}),
    },
  };
}
