// Splits one exchange of bench/exchange.ts into stages from its workflow history and the target
// session's (the server's event times, on the same machine clock as the bench's wall-clock
// stamps): the client's start call, prepare, the approval children (when the link gates a step),
// delivery, the target's turn (itself split by the session's runAgentTurn activity), sanitize, and
// the end (audits, completion) until the client has the result.
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const T = proto.temporal.api.enums.v1.EventType;
type Event = proto.temporal.api.history.v1.IHistoryEvent;

const at = (e: Event | undefined): number => {
  const t = e?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
};

/** Milliseconds in each stage of one exchange, in the order of its path (absent stages left out). */
export type ExchangeStages = Record<string, number>;

/** The completion event of the activity of type `name` (the first, or the first after `after`). */
function completed(events: Event[], name: string, after = 0): Event | undefined {
  const ids = new Set(
    events
      .filter(
        (e) =>
          e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
          e.activityTaskScheduledEventAttributes?.activityType?.name === name &&
          Number(e.eventId) > after,
      )
      .map((e) => String(e.eventId)),
  );
  return events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
      ids.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
  );
}

/** The completion of the approval child for `step`, when the exchange ran one. */
function child(events: Event[], step: 'question' | 'answer'): Event | undefined {
  return events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED &&
      e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId?.endsWith(
        `.${step}`,
      ),
  );
}

/** The target session's turn that ran between `from` and `to` (wall ms): its activity's start/end. */
async function targetTurn(
  session: WorkflowHandle,
  from: number,
  to: number,
): Promise<{ started: number; completed: number } | null> {
  const events = (await session.fetchHistory()).events ?? [];
  const turns = new Set(
    events
      .filter(
        (e) =>
          e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgentTurn',
      )
      .map((e) => String(e.eventId)),
  );
  const started = events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      turns.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)) &&
      at(e) >= from &&
      at(e) <= to,
  );
  const done = events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
      String(e.activityTaskCompletedEventAttributes?.scheduledEventId) ===
        String(started?.activityTaskStartedEventAttributes?.scheduledEventId),
  );
  return started && done ? { started: at(started), completed: at(done) } : null;
}

/** The stages of exchange `handle`, started at wall `start` with its result back at wall `end`. */
export async function exchangeStages(
  handle: WorkflowHandle,
  session: WorkflowHandle,
  start: number,
  end: number,
): Promise<ExchangeStages> {
  const events = (await handle.fetchHistory()).events ?? [];
  const begun = events.find((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const prepared = completed(events, 'prepareExchange');
  const question = child(events, 'question');
  const delivered = completed(events, 'deliverQuestion');
  const answered = events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED &&
      e.workflowExecutionSignaledEventAttributes?.signalName === 'exchangeAnswer',
  );
  const sanitized = completed(events, 'sanitizeAnswer', Number(answered?.eventId ?? 0));
  const answer = child(events, 'answer');
  const closed = events.find((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  const turn = await targetTurn(session, at(delivered), at(answered));

  const out: ExchangeStages = {};
  const marks: [string, number][] = [
    ['client start call → workflow started', at(begun)],
    [
      'prepare: first workflow task + prepareExchange (link, sanitize question, audit)',
      at(prepared),
    ],
    ...(question
      ? ([['question approval: child sensitiveActionWorkflow', at(question)]] as [string, number][])
      : []),
    [
      'delivery: deliverQuestion, signal-with-start of the target session (after the question-approved audit, with approvals)',
      at(delivered),
    ],
    ...(turn
      ? ([
          ['target: delivered → its runAgentTurn started', turn.started],
          ['target: runAgentTurn (runner in the box + stand-in model)', turn.completed],
          ['target: turn done → exchangeAnswer signal recorded', at(answered)],
        ] as [string, number][])
      : ([['target’s turn: delivered → exchangeAnswer signal', at(answered)]] as [
          string,
          number,
        ][])),
    ['sanitize: signal → sanitizeAnswer completed', at(sanitized)],
    ...(answer
      ? ([['answer approval: child sensitiveActionWorkflow', at(answer)]] as [string, number][])
      : []),
    ['end: audits → workflow completed', at(closed)],
    ['workflow completed → result at the client', end],
  ];
  let last = start;
  for (const [name, t] of marks) {
    out[name] = t - last;
    last = t;
  }
  return out;
}

/** The stages of a bare parent → child round (bench/bare-exchange-workflows.ts), as above. */
export async function bareStages(
  parent: WorkflowHandle,
  childHandle: WorkflowHandle,
  start: number,
  end: number,
): Promise<ExchangeStages> {
  const events = (await parent.fetchHistory()).events ?? [];
  const inner = (await childHandle.fetchHistory()).events ?? [];
  const find = (list: Event[], type: proto.temporal.api.enums.v1.EventType) =>
    list.find((e) => e.eventType === type);
  const marks: [string, number][] = [
    [
      'client start call → workflow started',
      at(find(events, T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)),
    ],
    [
      'parent: first workflow task → child started',
      at(find(inner, T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)),
    ],
    [
      'child: first workflow task + its activity',
      at(find(inner, T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)),
    ],
    [
      'child: workflow task → child completed',
      at(find(inner, T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)),
    ],
    [
      'parent: child completed → workflow completed',
      at(find(events, T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)),
    ],
    ['workflow completed → result at the client', end],
  ];
  const out: ExchangeStages = {};
  let last = start;
  for (const [name, t] of marks) {
    out[name] = t - last;
    last = t;
  }
  return out;
}
