// Splits the turns of an agent session into Temporal stages from its workflow history (the
// server's event times): the message signal until the turn activity starts, and the turn activity's
// completion until postSessionReply starts. Used by bench/agent-turn.ts for its full-path row.
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const T = proto.temporal.api.enums.v1.EventType;
type Event = proto.temporal.api.history.v1.IHistoryEvent;

const at = (e: Event): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
};

/** Per turn, milliseconds in each stage (in order of the path). */
export type TurnStages = Record<string, number[]>;

/** The stages of every turn in `handle`'s current run that ran from signal to posted reply. */
export async function turnStages(handle: WorkflowHandle): Promise<TurnStages> {
  const events = (await handle.fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  const out: TurnStages = {
    'signal recorded → workflow task started': [],
    'workflow task started → completed (turn activity scheduled)': [],
    'scheduled → runAgentTurn started': [],
    'runAgentTurn completed → workflow task started': [],
    'workflow task started → completed (reply activity scheduled)': [],
    'scheduled → postSessionReply started': [],
  };
  const keys = Object.keys(out);
  let marks: number[] = [];
  for (const e of events) {
    if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      typeOf.set(
        String(e.eventId),
        e.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
      );
    }
    const activity = (id: unknown) => typeOf.get(String(id));
    const step = marks.length;
    if (e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) marks = [at(e)];
    else if (e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_STARTED && (step === 1 || step === 5))
      marks.push(at(e));
    else if (e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && (step === 2 || step === 6))
      marks.push(at(e));
    else if (
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      step === 3 &&
      activity(e.activityTaskStartedEventAttributes?.scheduledEventId) === 'runAgentTurn'
    )
      marks.push(at(e));
    else if (
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
      step === 4 &&
      activity(e.activityTaskCompletedEventAttributes?.scheduledEventId) === 'runAgentTurn'
    )
      marks.push(at(e));
    else if (
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      step === 7 &&
      activity(e.activityTaskStartedEventAttributes?.scheduledEventId) === 'postSessionReply'
    ) {
      marks.push(at(e));
      // marks: signal, wft started, wft completed, activity started, activity completed, wft
      // started, wft completed, reply started; the turn's own time (3 → 4) is left out.
      const d = (a: number, b: number) => (marks[b] ?? NaN) - (marks[a] ?? NaN);
      const spans = [d(0, 1), d(1, 2), d(2, 3), d(4, 5), d(5, 6), d(6, 7)];
      spans.forEach((v, i) => out[keys[i] ?? '']?.push(v));
      marks = [];
    }
  }
  return out;
}
