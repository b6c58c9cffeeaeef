// What the recorded workflow histories share between scripts/record-histories.ts (which records
// them) and test/workflows/replay.test.ts (which replays them): their names, where they live, how
// they are encoded (temporal.api.history.v1.History, protobuf) and the fixed payload key they were
// encrypted with. The key is a test key, public on purpose: it protects nothing but these fixtures.
import { readFileSync, writeFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { dataConverter } from '../../src/temporal/client.ts';

/** The directory of the recorded histories. */
export const historiesDir = new URL('../fixtures/histories/', import.meta.url);

/** The recorded histories, each a waiting state or an ending of a real workflow. */
export const historyNames = [
  'action-pending',
  'action-approved',
  'action-executed-locally',
  'action-executed-with-click',
  'action-replay-refused',
  'action-rejected',
  'action-expired',
  'action-escalated',
  'action-granted',
  'action-unusual',
  'action-local-steps',
  'grant-active',
  'session-turn-with-action',
  'session-waiting-on-exchange',
  'exchange-completed',
  'exchange-question-rejected',
  'exchange-reason-sanitized',
  'session-action-rejected',
] as const;

/** One recorded history's name. */
export type HistoryName = (typeof historyNames)[number];

/** The payload key the histories were recorded with (config overrides for a fixture). */
export const historyKey = {
  AIRLOCK_PAYLOAD_KEY: Buffer.alloc(32, 'airlock-replay-fixtures').toString('base64'),
  AIRLOCK_PAYLOAD_KEY_ID: 'replay-fixtures',
};

/** The data converter that decodes the histories, as the worker that recorded them encoded them. */
export const historyConverter = dataConverter(historyKey);

/** The file of history `name`. */
export const historyFile = (name: string): URL => new URL(`${name}.bin`, historiesDir);

/** Read a recorded history. */
export function readHistory(name: string): proto.temporal.api.history.v1.History {
  return proto.temporal.api.history.v1.History.decode(readFileSync(historyFile(name)));
}

/** Write a history (from `handle.fetchHistory()`) as a fixture. */
export function writeHistory(name: HistoryName, history: proto.temporal.api.history.v1.IHistory) {
  writeFileSync(historyFile(name), proto.temporal.api.history.v1.History.encode(history).finish());
}

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

/** The activity type a local activity's marker records (its `data` is plain JSON), else null. */
export function localActivityType(event: HistoryEvent): string | null {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return null;
  const data = marker.details?.['data']?.payloads?.[0]?.data;
  if (!data) return null;
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
  const type = parsed['activity_type'] ?? parsed['activityType'];
  return typeof type === 'string' ? type : null;
}
