// Splits one round of bench/approval-latency.ts into stages from its workflow history: each
// event's time is the server's, on the same machine clock as the bench's wall-clock stamps.
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

const T = temporal.api.enums.v1.EventType;

/**
 * Milliseconds spent in each stage of one round, in order. An activity the server queued has
 * three stages after the signal's workflow task starts; one executed as a local activity inside
 * that task (the request goes out before the task completes) has one.
 */
export type Stages = Record<string, number>;

type Event = proto.temporal.api.history.v1.IHistoryEvent;

const at = (e: Event | undefined): number => {
  const t = e?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
};

/** The stages of `handle`'s run between wall-clock `start` and `end` (ms since the epoch). */
export async function stages(
  handle: WorkflowHandle,
  start: number,
  end: number,
  activity: string,
): Promise<Stages> {
  const events = (await handle.fetchHistory()).events ?? [];
  const after = (from: Event | undefined, type: proto.temporal.api.enums.v1.EventType) =>
    events.find((e) => e.eventType === type && Number(e.eventId) > Number(from?.eventId ?? 0));
  const signaled = after(undefined, T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  const taskStarted = after(signaled, T.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const taskCompleted = after(taskStarted, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const scheduled = events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
  );
  const started = events.find(
    (e) =>
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
  );
  const first = {
    'click or signal call → signal recorded': at(signaled) - start,
    'signal recorded → workflow task started': at(taskStarted) - at(signaled),
  };
  if (!scheduled)
    return {
      ...first,
      'workflow task started → request arrives (local activity, inside the task)':
        end - at(taskStarted),
    };
  return {
    ...first,
    'workflow task (worker: activations, local activities) → completed':
      at(taskCompleted) - at(taskStarted),
    'task completed → activity started': at(started) - at(taskCompleted),
    'activity started → request arrives': end - at(started),
  };
}
