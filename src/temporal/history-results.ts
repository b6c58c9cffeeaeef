// Reading what an activity returned from a run's history, whether it ran as a regular activity
// (scheduled, then completed events) or as a local activity (one `core_local_activity` marker whose
// `data` names the activity type and whose `result` holds the encoded return value). For the CLI
// and tests that show what a run pinned.
import type proto from '@temporalio/proto';

type Event = proto.temporal.api.history.v1.IHistoryEvent;
type Payload = proto.temporal.api.common.v1.IPayload;

/** How the first run of `activityType` in `events` ended: its encoded result, or its failure's message. */
export function activityOutcome(
  events: Event[],
  activityType: string,
): { ran: boolean; completed: boolean; result: Payload[] | null; failure: string | null } {
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === activityType) {
      const end = events.find(
        (x) =>
          Number(
            (x.activityTaskCompletedEventAttributes ?? x.activityTaskFailedEventAttributes)
              ?.scheduledEventId ?? -1,
          ) === Number(e.eventId),
      );
      const done = end?.activityTaskCompletedEventAttributes;
      return {
        ran: true,
        completed: Boolean(done),
        result: done?.result?.payloads ?? null,
        failure: end?.activityTaskFailedEventAttributes?.failure?.message ?? null,
      };
    }
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity' && localType(marker) === activityType) {
      const result = marker.details?.['result']?.payloads ?? null;
      return {
        ran: true,
        completed: !marker.failure,
        result: marker.failure ? null : result,
        failure: marker.failure?.message ?? null,
      };
    }
  }
  return { ran: false, completed: false, result: null, failure: null };
}

function localType(marker: proto.temporal.api.history.v1.IMarkerRecordedEventAttributes): string {
  const data = marker.details?.['data']?.payloads?.[0]?.data;
  if (!data) return '';
  try {
    return (
      (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string })
        .activity_type ?? ''
    );
  } catch {
    return '';
  }
}
