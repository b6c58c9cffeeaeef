// The approval steps of an exchange: each is a child sensitiveActionWorkflow for the exchange step
// (the webhook, cards, quorum, expiry, grants and receipts are the approval machinery every action
// uses), and a step that did not approve ends the exchange with a reason the asker may read.
import { ParentClosePolicy, patched, startChild, workflowInfo } from '@temporalio/workflow';
import { requesterOf } from '../agent-session/origin.ts';
import { actionWorkflowId } from '../sensitive-action/ids.ts';
import { ActionKind, AgentId, ApprovalState, Capability } from '../sensitive-action/search.ts';
import type { ActionRequest } from '../sensitive-action/request.ts';
import type { ActionOutcome } from '../sensitive-action/types.ts';
import type { sensitiveActionWorkflow } from '../sensitive-action/workflow.ts';
import { acts } from './proxies.ts';
import type { ExchangeState, ExchangeStatus, SanitizedText } from './messages.ts';
import type { ExchangeInput, PinnedLink } from './types.ts';

/** The capability name exchange approval steps go by (no real capability may use it). */
export const exchangeCapability = 'agent-exchange';

/** One approval step as a child sensitive-action workflow; its outcome (a failed child: failed). */
export async function approve(
  input: ExchangeInput,
  link: PinnedLink,
  step: 'question' | 'answer',
  text: SanitizedText,
  status: ExchangeStatus,
): Promise<ActionOutcome> {
  const { workflowId } = workflowInfo();
  const asker = step === 'question';
  const agent = asker ? link.from : link.to;
  const request: ActionRequest = {
    agent,
    capability: exchangeCapability,
    method: asker ? 'ASK' : 'ANSWER',
    path: `/agents/${asker ? link.to : link.from}`,
    ...(input.requester ? { requester: requesterOf(input.requester) } : {}),
    ...(input.coRequesters?.length ? { coRequesters: input.coRequesters.map(requesterOf) } : {}),
    sessionId: input.askerSessionId,
    purpose: asker
      ? `${link.from} asks ${link.to} a question.`
      : `${link.to} answers ${link.from}'s question.`,
    context: {
      sessionWorkflowId: input.askerSessionWorkflowId,
      conversation: input.conversation,
      message: null,
    },
    exchange: {
      workflowId,
      from: link.from,
      to: link.to,
      step,
      text: text.text,
      removed: text.removed,
      truncated: text.truncated,
      // Data only: the same commands with or without findings, so old histories replay.
      ...(text.instructions?.length ? { instructions: text.instructions } : {}),
    },
  };
  const childId = actionWorkflowId(`${workflowId.replace(/^exchange:/, '')}.${step}`);
  status.approvals.push({ step, workflowId: childId });
  const child = await startChild<typeof sensitiveActionWorkflow>('sensitiveActionWorkflow', {
    workflowId: childId,
    args: [{ request }],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
    typedSearchAttributes: [
      { key: AgentId, value: agent },
      { key: Capability, value: exchangeCapability },
      { key: ActionKind, value: `${request.method} ${exchangeCapability}` },
      { key: ApprovalState, value: 'deciding' },
    ],
    staticSummary: asker
      ? `${link.from} asks ${link.to} a question (exchange)`
      : `${link.to} answers ${link.from} (exchange)`,
  });
  // An approval that fails (cards cannot be posted anywhere…) ends the exchange as failed.
  const outcome = await child.result().catch((err: unknown): ActionOutcome => ({
    outcome: 'failed',
    message: `the approval workflow failed: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
    rule: null,
    policyHash: link.policyHash,
    requestHash: '',
    decidedBy: [],
  }));
  const entry = status.approvals.find((a) => a.workflowId === childId);
  if (entry) entry.outcome = outcome.outcome;
  if (asker && outcome.outcome === 'approved') {
    await acts.auditExchange({
      id: `${workflowId}:question-approved`,
      type: 'exchange-question-approved',
      workflowId,
      from: link.from,
      to: link.to,
      detail: {
        approval: childId,
        approvers: outcome.decidedBy.map((d) => d.approver.displayName),
      },
    });
  }
  return outcome;
}

/**
 * How an approval step that did not approve ends the exchange. Its message and reason hold what the
 * approver typed, so the reason reaches the asker as the link's answer sanitizer leaves it, with
 * its note (an activity: the sanitizer is not workflow code). Runs started before the patch end
 * with the reason as it was, as they did.
 */
export async function ending(
  outcome: ActionOutcome,
  what: string,
  link: PinnedLink,
): Promise<[ExchangeState, string]> {
  const [state, reason] = endOf(outcome, what);
  if (!patched('exchange-reason-sanitized')) return [state, reason];
  const { workflowId } = workflowInfo();
  return [state, await acts.sanitizeReason({ workflowId, link, reason })];
}

// An approval step that did not approve: the A2A state and the reason (raw).
function endOf(outcome: ActionOutcome, what: string): [ExchangeState, string] {
  const why = outcome.reason ? `${outcome.message} (${outcome.reason})` : outcome.message;
  if (outcome.outcome === 'rejected' || outcome.outcome === 'denied')
    return ['rejected', `${what} was not approved: ${why}`];
  if (outcome.outcome === 'expired')
    return ['canceled', `${what} expired before anyone decided: ${why}`];
  return ['failed', `${what}'s approval failed: ${why}`];
}
