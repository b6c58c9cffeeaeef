// Shared by the inbound A2A tests: the policy link that lets an outside client ask the research
// agent (both directions approved by the refund approvers), the session fixture with its worker and
// the A2A server in front of it, research's scripted answer to the client's question, and Alice
// deciding an exchange step's approval once it is pending.
import { startA2AServer, type A2AServer } from '../../src/a2a/server.ts';
import type { ChatMessage, ScriptStep } from '../../src/dev/model-standin.ts';
import { textOf } from '../../src/dev/model-standin.ts';
import { createLogger } from '../../src/log.ts';
import { currentPolicy } from '../../src/policy/current.ts';
import { approvalDecisionSignal, statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { click, people, signed } from '../helpers/actions.ts';
import { sessionFixture, type SessionFixture } from '../helpers/sessions.ts';

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

/**
 * A session fixture whose policy lets `client` ask research, with `tokens` as AIRLOCK_A2A_TOKENS,
 * its session worker running, and the A2A server on a free port in front of it. The caller closes
 * the server, then the fixture; a server that fails to start closes the fixture here.
 */
export async function inboundA2A(
  client: string,
  tokens: string,
): Promise<{ fx: SessionFixture; server: A2AServer }> {
  const fx = await sessionFixture([], partnerLink(client), { AIRLOCK_A2A_TOKENS: tokens });
  try {
    await fx.startSessionWorker();
    const server = await startA2AServer(
      {
        config: fx.config,
        client: fx.client,
        policy: currentPolicy(fx.config.AIRLOCK_POLICY_DIR),
        logger: createLogger({ level: 'warn' }),
      },
      0,
    );
    return { fx, server };
  } catch (err) {
    await fx.close();
    throw err;
  }
}

/** The text of the last message when it is the user's. */
export const lastUser = (m: ChatMessage[]): string =>
  m.at(-1)?.role === 'user' ? textOf(m.at(-1)?.content) : '';

/** The script step `name`: research answers `text` to client `a2a:<client>`'s question on the carrier. */
export const answersCarrierQuestion = (name: string, client: string, text: string): ScriptStep => ({
  name,
  when: (m: ChatMessage[]) =>
    lastUser(m).includes(`Question from agent a2a:${client}`) && lastUser(m).includes('carrier'),
  text,
});

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
