// The agentAction update of a session: a sensitive action the agent asks for during a turn becomes
// a child sensitiveActionWorkflow at once. The answer waits a moment for the child (an allowed or
// denied request settles in well under a second); one that needs a person is answered `pending`,
// and its outcome is queued for a later turn. The same ask repeated in the same turn (a retried
// turn) gets the same child and the same answer. A rejection's or failure's reason holds outside
// text (what the approver typed, an execution error): the agent gets it sanitized.
import { ParentClosePolicy, patched, proxyActivities, startChild } from '@temporalio/workflow';
import { actionWorkflowId } from '../sensitive-action/ids.ts';
import { ActionKind, AgentId, ApprovalState, Capability } from '../sensitive-action/search.ts';
import type { ActionOutcome } from '../sensitive-action/types.ts';
import type { sensitiveActionWorkflow } from '../sensitive-action/workflow.ts';
import type {
  AgentActionAnswer,
  AgentActionAsk,
  AgentLookup,
  ConversationRef,
  SessionMessage,
} from './messages.ts';
import { turnLookups } from './lookups.ts';
import { holdFor, runTag, turnAsks } from './turn-asks.ts';
import { sessionRequest } from './request.ts';
import type { AgentTextActivities, SessionRef, TurnItem, TurnOrigin } from './types.ts';

/** How long an ask waits for its child before answering `pending`. */
export const actionHoldMs = 3_000;
/** Asks one turn may make; more is a runaway loop, refused. */
const maxAsksPerTurn = 20;

const text = proxyActivities<AgentTextActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/** What the update needs from its session. */
export interface ActionContext {
  ref: SessionRef;
  conversation: ConversationRef;
  currentTurn(): number | null;
  requester(): SessionMessage['from'] | null;
  /** What started the running turn, and every person whose message is in it. */
  origin(): TurnOrigin | null;
  message(): string | null;
  /** Queue the outcome of an action that was answered `pending`. */
  onLateOutcome(item: TurnItem): void;
}

/** The agentAction handler, its validator, and the actions still awaiting a decision. */
export function runAction(ctx: ActionContext) {
  const pending = new Map<string, { workflowId: string; summary: string }>();
  const runId = runTag();
  const lookups = turnLookups();

  const start = async (ask: AgentActionAsk, n: number): Promise<AgentActionAnswer> => {
    const id = `${ctx.ref.agentId.slice(0, 40)}.${runId}.t${ask.turn}.${n}`;
    const workflowId = actionWorkflowId(id);
    // Set here from the session's queue, never from what the box sends: what started the turn
    // decides which allow rules may pass the request, and who may not approve it.
    const asker = { from: ctx.requester(), origin: ctx.origin(), message: ctx.message() };
    const request = sessionRequest(ctx.ref, ctx.conversation, ask, asker, lookups.of(ask.turn));
    const summary = `${ask.method.toUpperCase()} ${ask.path} via ${ask.capability}`;
    const child = await startChild<typeof sensitiveActionWorkflow>('sensitiveActionWorkflow', {
      workflowId,
      args: [{ request }],
      // The approval outlives the session if the session is closed or hands over.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: AgentId, value: request.agent },
        { key: Capability, value: request.capability },
        { key: ActionKind, value: `${request.method.toUpperCase()} ${request.capability}` },
        { key: ApprovalState, value: 'deciding' },
      ],
      staticSummary: `${request.agent} asks to ${summary} (${ctx.conversation.label})`,
    });
    pending.set(id, { workflowId, summary });
    const settled = child.result().then(
      (outcome) => {
        // Kept before the agent hears of it, so its next request in the turn carries it (an
        // approval that ends after its turn is no lookup of the running one).
        if (outcome.outcome === 'executed' && ask.turn === ctx.currentTurn())
          lookups.record(ask, outcome.result);
        return answerFor(ctx.ref.agentId, id, outcome);
      },
      (err: unknown): AgentActionAnswer => ({
        status: 'denied',
        id,
        reason: `the approval workflow failed: ${(err as Error).message}`,
      }),
    );
    const held = await holdFor(settled, actionHoldMs);
    if (held) {
      pending.delete(id);
      return held;
    }
    void settled.then((answer) => {
      pending.delete(id);
      ctx.onLateOutcome({
        kind: 'action-outcome',
        id,
        workflowId,
        outcome: answer.status,
        message:
          answer.status === 'denied'
            ? `Your request ${summary} was not carried out: ${answer.reason}`
            : `Your request ${summary} was approved and carried out.`,
        ...(answer.status === 'executed' ? { result: answer.result } : {}),
      });
    });
    return { status: 'pending', id };
  };

  const asks = turnAsks<AgentActionAsk, AgentActionAnswer>({
    what: 'actions',
    max: maxAsksPerTurn,
    currentTurn: () => ctx.currentTurn(),
    key: (ask) => [ask.turn, ask.capability, ask.method, ask.path, ask.body ?? null, ask.purpose],
    refuse: (reason) => ({ status: 'denied', id: '', reason }),
    start,
  });
  // A call the turn activity ran on its fast path (allowed at once, executed on the host) is a
  // lookup of its turn as well: the signal that tells the session calls this.
  const looked = (l: AgentLookup): void => {
    if (l.turn === ctx.currentTurn()) lookups.record(l, l.result);
  };
  return { validate: asks.validate, handle: asks.handle, pending, idle: asks.idle, looked };
}

// The answer the agent gets. A rejection's message and reason quote the approver, and a failure's
// may quote an error from outside: the agent reads them only as the sanitizer leaves them (an
// activity: the sanitizer is not workflow code). Runs started before the patch answer as they did.
async function answerFor(
  agentId: string,
  id: string,
  outcome: ActionOutcome,
): Promise<AgentActionAnswer> {
  const answer = answerOf(id, outcome);
  if (answer.status !== 'denied') return answer;
  if (outcome.outcome !== 'rejected' && outcome.outcome !== 'failed') return answer;
  if (!patched('action-reason-sanitized')) return answer;
  return {
    ...answer,
    reason: await text.sanitizeOutcomeReason({ agentId, reason: answer.reason }),
  };
}

function answerOf(id: string, outcome: ActionOutcome): AgentActionAnswer {
  if (outcome.outcome === 'executed')
    return { status: 'executed', id, result: outcome.result ?? null };
  const why = outcome.reason ? `${outcome.message} (${outcome.reason})` : outcome.message;
  return { status: 'denied', id, reason: `${outcome.outcome}: ${why}` };
}
