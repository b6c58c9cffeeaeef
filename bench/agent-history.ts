// Splits the turns of an agent session into Temporal stages from its workflow history (the
// server's event times): the message signal until the turn activity starts, and the activity's
// start until its completion is recorded (it posts the reply itself). Used by bench/agent-turn.ts
// for its full-path row.
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

/** The stages of every turn in `handle`'s current run, from the signal to the turn's completion. */
export async function turnStages(handle: WorkflowHandle): Promise<TurnStages> {
  const events = (await handle.fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  const out: TurnStages = {
    'signal recorded → workflow task started': [],
    'workflow task started → completed (turn activity scheduled)': [],
    'scheduled → runAgentTurn started': [],
    'runAgentTurn started → completed (the turn, reply posted)': [],
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
    else if (e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_STARTED && step === 1) marks.push(at(e));
    else if (e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && step === 2) marks.push(at(e));
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
    ) {
      marks.push(at(e));
      // marks: signal, wft started, wft completed, activity started, activity completed.
      const d = (a: number, b: number) => (marks[b] ?? NaN) - (marks[a] ?? NaN);
      [d(0, 1), d(1, 2), d(2, 3), d(3, 4)].forEach((v, i) => out[keys[i] ?? '']?.push(v));
      marks = [];
    }
  }
  return out;
}
