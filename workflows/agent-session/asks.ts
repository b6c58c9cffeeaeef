// The agentAsk update of a session: a question the agent asks another agent during a turn becomes
// a child agentExchangeWorkflow at once. The answer waits a moment (a question refused for want of
// a link ends at once, and the agent hears so in the same turn); otherwise it is `pending`, and the
// exchange's end arrives as input of a later turn, carrying the sanitized answer only when the
// exchange completed. The same question repeated in the same turn (a retried turn) is one exchange.
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { exchangeWorkflowId } from '../agent-exchange/ids.ts';
import type { ExchangeStatus } from '../agent-exchange/messages.ts';
import { withNote } from '../agent-exchange/note.ts';
import { ExchangeState, FromAgent, ToAgent } from '../agent-exchange/search.ts';
import type { agentExchangeWorkflow } from '../agent-exchange/workflow.ts';
import type { AgentQuestionAnswer, AgentQuestionAsk } from './messages.ts';
import type { ActionContext } from './actions.ts';
import { coRequesters } from './origin.ts';
import { holdFor, runTag, turnAsks } from './turn-asks.ts';

/** How long an ask waits for its exchange before answering `pending`. */
const askHoldMs = 1_000;
/** Questions one turn may ask; more is a runaway loop, refused. */
const maxAsksPerTurn = 10;

/** The agentAsk handler, its validator, and the exchanges still running. */
export function runAsk(ctx: ActionContext) {
  const pending = new Map<string, { workflowId: string; summary: string }>();
  const runId = runTag();

  const start = async (ask: AgentQuestionAsk, n: number): Promise<AgentQuestionAnswer> => {
    const { agentId } = ctx.ref;
    const id = `${agentId.slice(0, 40)}.${runId}.t${ask.turn}.q${n}`;
    const workflowId = exchangeWorkflowId(id);
    const summary = `question to ${ask.to}`;
    const child = await startChild<typeof agentExchangeWorkflow>('agentExchangeWorkflow', {
      workflowId,
      args: [
        {
          from: agentId,
          askerSessionWorkflowId: ctx.ref.workflowId,
          askerSessionId: ctx.ref.sessionId,
          conversation: ctx.conversation.label,
          to: ask.to,
          question: ask.question,
          requester: ctx.requester(),
          ...coRequesters(ctx),
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: FromAgent, value: agentId },
        { key: ToAgent, value: ask.to },
        { key: ExchangeState, value: 'submitted' },
      ],
      staticSummary: `${agentId} asks ${ask.to} (${ctx.conversation.label})`,
    });
    pending.set(id, { workflowId, summary });
    const settled = child.result().then(
      (status) => status,
      (err: unknown): ExchangeStatus => ({
        id,
        from: agentId,
        to: ask.to,
        state: 'failed',
        step: 'link',
        reason: `the exchange failed: ${(err as Error).message}`,
        question: null,
        answer: null,
        approvals: [],
        startedAt: '',
      }),
    );
    const held = await holdFor(settled, askHoldMs);
    if (held && held.state !== 'completed') {
      pending.delete(id);
      return { status: 'refused', id, reason: held.reason ?? held.state };
    }
    void settled.then((status) => {
      pending.delete(id);
      const done = status.state === 'completed' && status.answer;
      ctx.onLateOutcome({
        kind: 'exchange-result',
        id,
        workflowId,
        to: ask.to,
        state: status.state,
        // The answer as sanitized, with Airlock's note of what went (the agent reads both).
        ...(done && status.answer ? { answer: withNote(status.answer) } : {}),
        message: done
          ? `${ask.to} answered; the answer was sanitized${status.answer?.removed.length ? ` (${status.answer.removed.length} thing(s) removed)` : ''} and approved.`
          : `${status.state} at ${status.step}: ${status.reason ?? 'no reason given'}`,
      });
    });
    return { status: 'pending', id };
  };

  const asks = turnAsks<AgentQuestionAsk, AgentQuestionAnswer>({
    what: 'questions',
    max: maxAsksPerTurn,
    currentTurn: () => ctx.currentTurn(),
    key: (ask) => [ask.turn, ask.to, ask.question],
    refuse: (reason) => ({ status: 'refused', id: '', reason }),
    start,
  });
  return { validate: asks.validate, handle: asks.handle, pending, idle: asks.idle };
}
