// `airlock policy analyze` as a function: audit records over a window in, per-rule and per-agent
// statistics, rubber-stamp signals and cards per day out, as one plain JSON-able object.
import type { AuditRecord } from '../../audit/log.ts';
import type { Window } from './records.ts';
import { rubberStampSignals, thresholds, type RuleSignals } from './signals.ts';
import { cardsPerDay, groupStats, ruleKey, type GroupStats } from './stats.ts';
import { buildTimelines, type Timeline } from './timelines.ts';

/** What `analyze` reports. */
export interface Analysis {
  window: { since: string; until: string };
  /** The time zone office hours are judged in. */
  timeZone: string;
  records: number;
  requests: number;
  /** Requests that recorded their body fields (needed to replay conditions on them). */
  withFields: number;
  /** Decisions and cards in the window whose request began before it (not counted). */
  orphans: number;
  byRule: GroupStats[];
  byAgent: GroupStats[];
  signals: RuleSignals[];
  thresholds: typeof thresholds;
  cardsPerDay: ReturnType<typeof cardsPerDay>;
}

/** Analyse `records` (already limited to `window`, in log order); returns the timelines too. */
export async function analyze(
  records: AsyncIterable<AuditRecord>,
  window: Window,
  timeZone: string,
): Promise<{ analysis: Analysis; timelines: Timeline[] }> {
  const { timelines, records: count, orphans } = await buildTimelines(records);
  const analysis: Analysis = {
    window: {
      since: new Date(window.since).toISOString(),
      until: new Date(window.until).toISOString(),
    },
    timeZone,
    records: count,
    requests: timelines.length,
    withFields: timelines.filter((t) => t.fields !== null).length,
    orphans,
    byRule: groupStats(timelines, ruleKey),
    byAgent: groupStats(timelines, (t) => t.agent),
    signals: rubberStampSignals(timelines, timeZone),
    thresholds,
    cardsPerDay: cardsPerDay(timelines, window),
  };
  return { analysis, timelines };
}
