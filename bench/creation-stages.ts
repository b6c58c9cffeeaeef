// Where the time of creating one pending approval goes, read from its workflow history: every gap
// between consecutive events from the start to the workflow task that follows the card post,
// labelled by the two events (and the activity's name), so waits in task queues (scheduled →
// started) stand apart from work in the worker (started → completed).
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
const T = temporal.api.enums.v1.EventType;
type Event = proto.temporal.api.history.v1.IHistoryEvent;

const at = (e: Event): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN;
};
const name = (e: Event): string =>
  (T[e.eventType ?? 0] ?? String(e.eventType))
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replaceAll('_', ' ');

/** Milliseconds per stage of one creation, and its total (start → card posted and recorded). */
export async function creationStages(
  handle: WorkflowHandle,
): Promise<{ total: number; stages: Record<string, number> }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const activityOf = new Map<string, string>();
  for (const e of events)
    if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      activityOf.set(
        String(e.eventId),
        e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
      );
  const label = (e: Event): string => {
    const a =
      e.activityTaskStartedEventAttributes?.scheduledEventId ??
      e.activityTaskCompletedEventAttributes?.scheduledEventId;
    if (a !== undefined && a !== null) return `${name(e)} (${activityOf.get(String(a))})`;
    if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      return `${name(e)} (${activityOf.get(String(e.eventId))})`;
    return name(e);
  };
  const posted = events.findIndex(
    (e) =>
      e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED &&
      activityOf.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)) ===
        'postApprovalCard',
  );
  const end = events.findIndex(
    (e, i) => i > posted && e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  );
  const stages: Record<string, number> = {};
  const first = events[0];
  const last = events[end];
  if (posted < 0 || end < 0 || !first || !last) return { total: Number.NaN, stages };
  for (let i = 1; i <= end; i++) {
    const prev = events[i - 1] as Event;
    const cur = events[i] as Event;
    const key = `${label(prev)} → ${label(cur)}`;
    stages[key] = (stages[key] ?? 0) + (at(cur) - at(prev));
  }
  return { total: at(last) - at(first), stages };
}

/** Mean of each stage over `runs`, largest first, as Markdown table rows. */
export function stageTable(runs: { total: number; stages: Record<string, number> }[]): string {
  const ok = runs.filter((r) => !Number.isNaN(r.total));
  const sums = new Map<string, number>();
  for (const r of ok)
    for (const [k, v] of Object.entries(r.stages)) sums.set(k, (sums.get(k) ?? 0) + v);
  const mean = (v: number) => (ok.length ? v / ok.length : Number.NaN);
  const total = mean(ok.reduce((a, r) => a + r.total, 0));
  const rows = [...sums]
    .sort((a, b) => b[1] - a[1])
    .map(
      ([k, v]) => `| ${k} | ${mean(v).toFixed(1)} ms | ${((100 * mean(v)) / total).toFixed(0)} % |`,
    );
  return [
    `| stage (mean of ${ok.length} sampled creations) | time | share |`,
    '| --- | --- | --- |',
    ...rows,
    `| **start → card posted and recorded** | **${total.toFixed(1)} ms** | |`,
  ].join('\n');
}
