// agentExchangeWorkflow (`exchange:<id>`): one question from one agent to another, as a durable,
// approval-gated round trip. The link is pinned and the question sanitized first (no link: refused
// at once); the question is approved (a child approval, when the link says so), delivered to the
// target's session as a turn from another agent, and its reply captured as the answer, sanitized,
// and approved coming back. Only a completed exchange carries the answer back to the asker; any
// other end says which step and why. States are A2A task states. A reason that holds outside text
// (an approver's typed reason) is sanitized by the link before the asker gets it.
import {
  condition,
  ParentClosePolicy,
  patched,
  TimeoutFailure,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { exchangeFinished } from '../metrics.ts';
import { actionWorkflowId } from '../sensitive-action/ids.ts';
import { ActionKind, AgentId, ApprovalState, Capability } from '../sensitive-action/search.ts';
import type { ActionOutcome, ActionRequest } from '../sensitive-action/types.ts';
import type { sensitiveActionWorkflow } from '../sensitive-action/workflow.ts';
import {
  exchangeAnswerSignal,
  exchangeStatusQuery,
  type ExchangeAnswer,
  type ExchangeState,
  type ExchangeStatus,
  type ExchangeStep,
  type SanitizedText,
} from './messages.ts';
import { withNote } from './note.ts';
import { ExchangeState as ExchangeStateKey } from './search.ts';
import type { AgentExchangeActivities, ExchangeInput, PinnedLink } from './types.ts';

const acts = proxyActivities<AgentExchangeActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// An external agent answers within the link's time limit; the activity heartbeats while it polls.
const externalActs = (link: PinnedLink) =>
  proxyActivities<AgentExchangeActivities>({
    // The link's time limit bounds the whole ask, retries included.
    scheduleToCloseTimeout: link.timeLimitMs,
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
  });

/** A time limit in words: "45 seconds", "90 minutes". */
const span = (ms: number): string =>
  ms < 120_000 ? `${Math.round(ms / 1000)} seconds` : `${Math.round(ms / 60_000)} minutes`;

/** The capability name exchange approval steps go by (no real capability may use it). */
export const exchangeCapability = 'agent-exchange';

/** Run one exchange to its end; the result carries the answer only when it completed. */
export async function agentExchangeWorkflow(input: ExchangeInput): Promise<ExchangeStatus> {
  const { from, to } = input;
  const { workflowId } = workflowInfo();
  const status: ExchangeStatus = {
    id: workflowId.replace(/^exchange:/, ''),
    from,
    to,
    state: 'submitted',
    step: 'link',
    question: null,
    answer: null,
    approvals: [],
    startedAt: new Date().toISOString(),
  };
  let answer: ExchangeAnswer | undefined;
  setHandler(exchangeAnswerSignal, (a) => void (answer ??= a));
  setHandler(exchangeStatusQuery, () => status);

  const set = (state: ExchangeState, step: ExchangeStep): void => {
    status.state = state;
    status.step = step;
    upsertSearchAttributes([{ key: ExchangeStateKey, value: state }]);
    setCurrentDetails(`**${state}** at ${step}${status.reason ? `: ${status.reason}` : ''}`);
  };
  const end = async (state: ExchangeState, reason?: string): Promise<ExchangeStatus> => {
    if (reason) status.reason = reason;
    status.endedAt = new Date().toISOString();
    set(state, state === 'completed' ? 'done' : status.step);
    exchangeFinished(state, status.step);
    await acts.auditExchange({
      id: `${workflowId}:end`,
      type: state === 'completed' ? 'exchange-completed' : 'exchange-ended',
      workflowId,
      from,
      to,
      detail: { state, step: status.step, ...(reason ? { reason } : {}) },
    });
    // Nothing of an answer that did not complete goes back to the asker.
    return state === 'completed' ? status : { ...status, answer: null };
  };

  const prepared = await acts.prepareExchange({ workflowId, from, to, question: input.question });
  if (!prepared.ok) return end('rejected', prepared.reason);
  const { link } = prepared;
  status.question = prepared.question;

  set('working', 'question-approval');
  if (link.approveQuestion) {
    const outcome = await approve(input, link, 'question', prepared.question, status);
    if (outcome.outcome !== 'approved')
      return end(...(await ending(outcome, 'the question', link)));
  }

  set('working', 'delivery');
  if (link.external) {
    // An external A2A agent: asked and polled by one activity; its answer crosses like any other.
    set('working', 'answering');
    await acts.auditExchange({
      id: `${workflowId}:delivered`,
      type: 'exchange-delivered',
      workflowId,
      from,
      to,
      detail: { external: link.external.cardUrl },
    });
    try {
      answer = await externalActs(link).askExternalAgent({
        workflowId,
        link,
        question: prepared.question.text,
      });
    } catch (err) {
      const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error) : err;
      // Past the link's time limit: the same end as a session that did not answer in time.
      if (cause instanceof TimeoutFailure)
        return end('canceled', `${to} did not answer within ${span(link.timeLimitMs)}`);
      return end('failed', `${to} did not answer: ${(cause as Error).message}`);
    }
  } else {
    // The other agent reads the question with Airlock's note of what the sanitizer removed.
    status.targetSession = await acts.deliverQuestion({
      workflowId,
      from,
      to,
      question: withNote(prepared.question),
    });
    await acts.auditExchange({
      id: `${workflowId}:delivered`,
      type: 'exchange-delivered',
      workflowId,
      from,
      to,
      detail: { session: status.targetSession },
    });
    set('working', 'answering');
    if (!(await condition(() => answer !== undefined, link.timeLimitMs))) {
      return end('canceled', `${to} did not answer within ${span(link.timeLimitMs)}`);
    }
  }
  const raw = answer as ExchangeAnswer;
  status.answer = await acts.sanitizeAnswer({ workflowId, link, answer: raw.text });
  await acts.auditExchange({
    id: `${workflowId}:answered`,
    type: 'exchange-answered',
    workflowId,
    from,
    to,
    detail: {
      session: raw.sessionWorkflowId,
      turn: raw.turn,
      removed: status.answer.removed.length,
      truncated: status.answer.truncated,
    },
  });

  if (link.approveAnswer) {
    set('working', 'answer-approval');
    const outcome = await approve(input, link, 'answer', status.answer, status);
    if (outcome.outcome !== 'approved') return end(...(await ending(outcome, 'the answer', link)));
  }
  return end('completed');
}

// One approval step: a child sensitive-action workflow for the exchange step (the webhook, cards,
// quorum, expiry, grants and receipts are the approval machinery every action uses).
async function approve(
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
    ...(input.requester
      ? {
          requester: {
            platform: input.requester.platform,
            userId: input.requester.userId,
            ...(input.requester.aadObjectId ? { aadObjectId: input.requester.aadObjectId } : {}),
            displayName: input.requester.displayName,
            ...(input.requester.policyUserId ? { policyUserId: input.requester.policyUserId } : {}),
          },
        }
      : {}),
    ...(input.coRequesters?.length
      ? {
          coRequesters: input.coRequesters.map((r) => ({
            platform: r.platform,
            userId: r.userId,
            ...(r.aadObjectId ? { aadObjectId: r.aadObjectId } : {}),
            displayName: r.displayName,
            ...(r.policyUserId ? { policyUserId: r.policyUserId } : {}),
          })),
        }
      : {}),
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

// How an approval step that did not approve ends the exchange. Its message and reason hold what the
// approver typed, so the reason reaches the asker as the link's answer sanitizer leaves it, with
// its note (an activity: the sanitizer is not workflow code). Runs started before the patch end
// with the reason as it was, as they did.
async function ending(
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
