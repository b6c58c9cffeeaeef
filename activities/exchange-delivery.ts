// The exchange activity that hands an approved question to the target agent: a message from
// another agent, signal-with-started into the target's session for questions from that asker
// (`session:<to>:agent-<from>`). The exchange's workflow id is the message id, so a retried
// delivery is dropped by the session as a duplicate.
import type { Client } from '@temporalio/client';
import { sendToAgent } from '../src/agents/sessions.ts';
import type { Config } from '../src/config.ts';
import { exchangeConversationKey, isA2AAsker } from '../workflows/agent-exchange/ids.ts';
import type { AgentExchangeActivities } from '../workflows/agent-exchange/types.ts';

/** Dependencies of the delivery activity. */
export interface ExchangeDeliveryDeps {
  client: () => Promise<Client>;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
}

/** Build the delivery activity. */
export function createExchangeDeliveryActivities(
  deps: ExchangeDeliveryDeps,
): Pick<AgentExchangeActivities, 'deliverQuestion'> {
  return {
    async deliverQuestion({ workflowId, from, to, question }) {
      const who = isA2AAsker(from)
        ? `${from.slice('a2a:'.length)} (external A2A client)`
        : `${from} (agent)`;
      return sendToAgent(
        await deps.client(),
        deps.config,
        {
          agentId: to,
          conversationKey: exchangeConversationKey(from),
          conversation: { platform: 'agent', label: `Questions from ${who}` },
        },
        {
          messageId: workflowId,
          from: {
            platform: 'agent',
            userId: from,
            displayName: who,
            policyUserId: null,
          },
          text: question,
          receivedAt: new Date().toISOString(),
          exchange: { workflowId, from },
        },
      );
    },
  };
}
