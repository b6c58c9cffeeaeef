// Activities of agentExchangeWorkflow (all but deliverQuestion): pin the policy's link for the
// exchange and sanitize the question by it, sanitize the answer and the reasons the asker gets, and
// append the exchange's events to the audit log — the same hash chain the approval records are in,
// as records of their own. Every text here crosses through `toAgentText` (src/agents/agent-text.ts).
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { AuditEvent, AuditStore } from '../src/audit/log.ts';
import { exchangeCapability, resolveLink } from '../src/policy/links.ts';
import type { LoadedPolicy } from '../src/policy/types.ts';
import { agentReason, toAgentText } from '../src/agents/agent-text.ts';
import type { SanitizedText } from '../workflows/agent-exchange/messages.ts';
import type {
  AgentExchangeActivities,
  Crossing,
  ExchangeAuditEvent,
  PinnedLink,
} from '../workflows/agent-exchange/types.ts';

/** Dependencies of the exchange activities. */
export interface AgentExchangeDeps {
  /** The current policy set (reloaded by the caller when files change). */
  policy: () => Promise<LoadedPolicy>;
  audit: AuditStore;
}

/**
 * An exchange event as the audit log stores it: the asking agent as `agent`, the exchange
 * capability, the policy the link came from, and from/to always in the detail.
 */
export interface ExchangeAuditRecord extends AuditEvent {
  type: ExchangeAuditEvent['type'];
  workflowId: string;
  agent: string;
  capability: typeof exchangeCapability;
  detail: { from: string; to: string } & Record<string, unknown>;
}

/** The exchange activities this file implements (deliverQuestion lives with the sessions). */
export type ExchangeAuditActivities = Omit<
  AgentExchangeActivities,
  'deliverQuestion' | 'askExternalAgent'
>;

/** The audit record of `event`, at `at`, under the policy `policyHash` (when known). */
export function exchangeRecord(
  event: ExchangeAuditEvent,
  at: string,
  policyHash?: string,
): ExchangeAuditRecord {
  const hash = policyHash ?? (event.detail?.['policyHash'] as string | undefined);
  return {
    id: event.id,
    type: event.type,
    at,
    workflowId: event.workflowId,
    agent: event.from,
    capability: exchangeCapability,
    ...(hash ? { policyHash: hash } : {}),
    detail: { ...event.detail, from: event.from, to: event.to },
  };
}

/** Sanitize `text` for one direction of a link (the text the agent on the other side reads). */
export function cross(text: string, crossing: Crossing): SanitizedText {
  return toAgentText(text, crossing);
}

/** What the audit keeps of a crossing text: its hash and size and the report, not the text. */
export function textSummary(t: SanitizedText): Record<string, unknown> {
  return {
    sha256: createHash('sha256').update(t.text).digest('hex'),
    length: t.text.length,
    removed: t.removed.length,
    kinds: [...new Set(t.removed.map((r) => r.kind))],
    truncated: t.truncated,
  };
}

function linkSummary(link: PinnedLink): Record<string, unknown> {
  return {
    approveQuestion: link.approveQuestion,
    approveAnswer: link.approveAnswer,
    question: link.question,
    answer: link.answer,
    timeLimitMs: link.timeLimitMs,
  };
}

/** Build the exchange activities (all but deliverQuestion). */
export function createAgentExchangeActivities(deps: AgentExchangeDeps): ExchangeAuditActivities {
  const append = (event: ExchangeAuditEvent, policyHash?: string) =>
    deps.audit.append(exchangeRecord(event, new Date().toISOString(), policyHash));
  return {
    async prepareExchange({ workflowId, from, to, question }) {
      // A broken policy file is retried until someone fixes it, as decidePolicy does.
      const policy = await deps.policy().catch((err: unknown) => {
        throw ApplicationFailure.retryable((err as Error).message, 'policy_invalid');
      });
      // The two events of this step, keyed `<workflowId>#<step>`, under the policy that decided.
      const audit = (
        step: string,
        type: ExchangeAuditEvent['type'],
        detail: Record<string, unknown>,
      ) => append({ id: `${workflowId}#${step}`, type, workflowId, from, to, detail }, policy.hash);
      const link = resolveLink(policy, from, to);
      if (!link) {
        const reason = `agent "${from}" may not ask agent "${to}": the policy has no link ${from} -> ${to}`;
        await audit('refused', 'exchange-refused', { reason });
        return { ok: false, reason, policyHash: policy.hash };
      }
      const sanitized = cross(question, link.question);
      await audit('requested', 'exchange-requested', {
        link: linkSummary(link),
        question: textSummary(sanitized),
      });
      return { ok: true, link, question: sanitized };
    },

    sanitizeAnswer: ({ link, answer }) => Promise.resolve(cross(answer, link.answer)),

    sanitizeReason: ({ link, reason }) => Promise.resolve(agentReason(reason, link.answer.level)),

    async auditExchange(event) {
      await append(event);
    },
  };
}
