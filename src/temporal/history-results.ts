// Reading what an activity returned from a run's history, whether it ran as a regular activity
// (scheduled, then completed events) or as a local activity (one `core_local_activity` marker whose
// `data` names the activity type and whose `result` holds the encoded return value). For the CLI
// and tests that show what a run pinned. A failure's message is encrypted like any payload
// (src/temporal/failure-converter.ts): `decodedActivityOutcome` reads it with the client's codec.
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type proto from '@temporalio/proto';

type Event = proto.temporal.api.history.v1.IHistoryEvent;
type Payload = proto.temporal.api.common.v1.IPayload;
type Failure = proto.temporal.api.failure.v1.IFailure;

/** An activity's outcome; `failure` is the message as stored (encrypted ones read "Encoded failure"). */
export interface ActivityOutcome {
  ran: boolean;
  completed: boolean;
  result: Payload[] | null;
  failure: string | null;
  failureProto: Failure | null;
}

/** activityOutcome, with the failure's message decrypted by `converter` (a client's data converter). */
export async function decodedActivityOutcome(
  converter: LoadedDataConverter,
  events: Event[],
  activityType: string,
): Promise<ActivityOutcome> {
  const outcome = activityOutcome(events, activityType);
  const err = await decodeOptionalFailureToOptionalError(converter, outcome.failureProto);
  return err ? { ...outcome, failure: err.message } : outcome;
}

/** How the first run of `activityType` in `events` ended: its encoded result, or its failure. */
export function activityOutcome(events: Event[], activityType: string): ActivityOutcome {
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
        failureProto: end?.activityTaskFailedEventAttributes?.failure ?? null,
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
        failureProto: marker.failure ?? null,
      };
    }
  }
  return { ran: false, completed: false, result: null, failure: null, failureProto: null };
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
