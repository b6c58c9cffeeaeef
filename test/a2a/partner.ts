// Shared by the inbound A2A tests: the policy link that lets an outside client ask the research
// agent (both directions approved by the refund approvers), the last user turn the scripted model
// reads, and Alice deciding an exchange step's approval once it is pending.
import type { ChatMessage } from '../../src/dev/model-standin.ts';
import { textOf } from '../../src/dev/model-standin.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { click, people, signed } from '../helpers/actions.ts';
import type { SessionFixture } from '../helpers/sessions.ts';

/** A policy edit: client `a2a:<client>` may ask the fixture's research agent. */
export const partnerLink =
  (client: string) =>
  (yaml: string): string => {
    const research = /research-[0-9a-f]{8}/.exec(yaml)?.[0] ?? 'research-bot';
    return `${yaml}
  - from: a2a:${client}
    to: ${research}
    description: An outside partner's questions to research.
    approval:
      approvers: { groups: [refund-approvers] }
    sanitizer: strict
    maxAnswerLength: 2000
`;
  };

/** The text of the last message when it is the user's. */
export const lastUser = (m: ChatMessage[]): string =>
  m.at(-1)?.role === 'user' ? textOf(m.at(-1)?.content) : '';

/** Wait for an exchange step's approval to be pending, then decide it as Alice. */
export async function decide(
  fx: SessionFixture,
  workflowId: string,
  choice: 'approve' | 'reject' = 'approve',
  reason?: string,
): Promise<void> {
  const handle = fx.client.workflow.getHandle(workflowId);
  const status = await fx.waitFor(
    () => handle.query(statusQuery),
    (s) => s.state === 'pending',
  );
  await handle.signal(
    approvalDecisionSignal,
    signed(workflowId, click(people.alice, choice, status.requestHash, reason ? { reason } : {})),
  );
}
