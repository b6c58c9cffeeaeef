// The agentAsk update of a session: a question the agent asks another agent during a turn becomes
// a child agentExchangeWorkflow at once. The answer waits a moment (a question refused for want of
// a link ends at once, and the agent hears so in the same turn); otherwise it is `pending`, and the
// exchange's end arrives as input of a later turn, carrying the sanitized answer only when the
// exchange completed. The same question repeated in the same turn (a retried turn) is one exchange.
import {
  CancellationScope,
  ParentClosePolicy,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { exchangeWorkflowId } from '../agent-exchange/ids.ts';
import type { ExchangeStatus } from '../agent-exchange/messages.ts';
import { ExchangeState, FromAgent, ToAgent } from '../agent-exchange/search.ts';
import type { agentExchangeWorkflow } from '../agent-exchange/workflow.ts';
import type { AgentQuestionAnswer, AgentQuestionAsk } from './messages.ts';
import type { ActionContext } from './actions.ts';

/** How long an ask waits for its exchange before answering `pending`. */
const askHoldMs = 1_000;
/** Questions one turn may ask; more is a runaway loop, refused. */
const maxAsksPerTurn = 10;

/** The agentAsk handler, its validator, and the exchanges still running. */
export function runAsk(ctx: ActionContext) {
  const answers = new Map<string, Promise<AgentQuestionAnswer>>();
  const perTurn = new Map<number, number>();
  const pending = new Map<string, { workflowId: string; summary: string }>();
  let inFlight = 0;
  const runId = workflowInfo().firstExecutionRunId.replace(/-/g, '').slice(0, 8);

  const validate = (ask: AgentQuestionAsk): void => {
    if (ask.turn !== ctx.currentTurn())
      throw new Error(`turn ${ask.turn} is not running; questions are asked during a turn`);
  };

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
    const held = await CancellationScope.cancellable(async () => {
      const first = await Promise.race([settled, sleep(askHoldMs).then(() => null)]);
      CancellationScope.current().cancel();
      return first;
    }).catch(() => null);
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
        ...(done ? { answer: status.answer?.text ?? '' } : {}),
        message: done
          ? `${ask.to} answered; the answer was sanitized${status.answer?.removed.length ? ` (${status.answer.removed.length} thing(s) removed)` : ''} and approved.`
          : `${status.state} at ${status.step}: ${status.reason ?? 'no reason given'}`,
      });
    });
    return { status: 'pending', id };
  };

  const handle = (ask: AgentQuestionAsk): Promise<AgentQuestionAnswer> => {
    const key = JSON.stringify([ask.turn, ask.to, ask.question]);
    const known = answers.get(key);
    if (known) return known;
    const n = (perTurn.get(ask.turn) ?? 0) + 1;
    perTurn.set(ask.turn, n);
    if (n > maxAsksPerTurn) {
      return Promise.resolve({
        status: 'refused',
        id: '',
        reason: `more than ${maxAsksPerTurn} questions in one turn`,
      });
    }
    inFlight += 1;
    const answer = start(ask, n).finally(() => (inFlight -= 1));
    answers.set(key, answer);
    return answer;
  };

  return { validate, handle, pending, idle: () => inFlight === 0 };
}
