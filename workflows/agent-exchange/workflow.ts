// agentExchangeWorkflow (`exchange:<id>`): one question from one agent to another, as a durable,
// approval-gated round trip. The link is pinned and the question sanitized first (no link: refused
// at once); the question is approved (a child approval, when the link says so), delivered to the
// target's session as a turn from another agent, and its reply captured as the answer, sanitized,
// and approved coming back. Only a completed exchange carries the answer back to the asker; any
// other end says which step and why. States are A2A task states. A reason that holds outside text
// (an approver's typed reason) is sanitized by the link before the asker gets it.
import {
  condition,
  TimeoutFailure,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { exchangeFinished } from '../metrics.ts';
import { acts, externalActs } from './proxies.ts';
import { approve, ending } from './approve.ts';
import {
  exchangeAnswerSignal,
  exchangeStatusQuery,
  startingStatus,
  type ExchangeAnswer,
  type ExchangeState,
  type ExchangeStatus,
  type ExchangeStep,
} from './messages.ts';
import { withNote } from './note.ts';
import { ExchangeState as ExchangeStateKey } from './search.ts';
import type { ExchangeAuditEvent, ExchangeInput } from './types.ts';

/** A time limit in words: "45 seconds", "90 minutes". */
const span = (ms: number): string =>
  ms < 120_000 ? `${Math.round(ms / 1000)} seconds` : `${Math.round(ms / 60_000)} minutes`;

/** Run one exchange to its end; the result carries the answer only when it completed. */
export async function agentExchangeWorkflow(input: ExchangeInput): Promise<ExchangeStatus> {
  const { from, to } = input;
  const { workflowId } = workflowInfo();
  const status = startingStatus(workflowId, from, to);
  let answer: ExchangeAnswer | undefined;
  setHandler(exchangeAnswerSignal, (a) => void (answer ??= a));
  setHandler(exchangeStatusQuery, () => status);

  // One exchange event in the audit log, keyed `<workflowId>:<step>` so a retry appends it once.
  const audit = (step: string, type: ExchangeAuditEvent['type'], detail: Record<string, unknown>) =>
    acts.auditExchange({ id: `${workflowId}:${step}`, type, workflowId, from, to, detail });
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
    await audit('end', state === 'completed' ? 'exchange-completed' : 'exchange-ended', {
      state,
      step: status.step,
      ...(reason ? { reason } : {}),
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
    await audit('delivered', 'exchange-delivered', { external: link.external.cardUrl });
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
    await audit('delivered', 'exchange-delivered', { session: status.targetSession });
    set('working', 'answering');
    if (!(await condition(() => answer !== undefined, link.timeLimitMs))) {
      return end('canceled', `${to} did not answer within ${span(link.timeLimitMs)}`);
    }
  }
  const raw = answer as ExchangeAnswer;
  status.answer = await acts.sanitizeAnswer({ workflowId, link, answer: raw.text });
  await audit('answered', 'exchange-answered', {
    session: raw.sessionWorkflowId,
    turn: raw.turn,
    removed: status.answer.removed.length,
    truncated: status.answer.truncated,
  });

  if (link.approveAnswer) {
    set('working', 'answer-approval');
    const outcome = await approve(input, link, 'answer', status.answer, status);
    if (outcome.outcome !== 'approved') return end(...(await ending(outcome, 'the answer', link)));
  }
  return end('completed');
}
