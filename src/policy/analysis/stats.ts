// Per-rule and per-agent statistics of a window's timelines: requests, how they ended, cards shown
// and how long humans took to decide (from the cards going out to the deciding click).
import { decidingClick, outcomeOf, type Outcome, type Timeline } from './timelines.ts';

/** The counts and decision times of one rule or one agent. */
export interface GroupStats {
  key: string;
  requests: number;
  /** Outcomes: allowed and denied by the policy, granted (a standing grant), and the human ones. */
  outcomes: Record<Outcome, number>;
  /** Requests that asked humans (cards went out). */
  cards: number;
  /** Card copies: channel posts, direct messages and "show me" copies. */
  cardCopies: number;
  /** Seconds from cards to the deciding click; null without decisions. */
  medianDecisionSeconds: number | null;
  p90DecisionSeconds: number | null;
}

/** The statistics of `timelines` grouped by `keyOf`, biggest card count first. */
export function groupStats(timelines: Timeline[], keyOf: (t: Timeline) => string): GroupStats[] {
  const groups = new Map<string, { stats: GroupStats; times: number[] }>();
  for (const t of timelines) {
    const key = keyOf(t);
    let g = groups.get(key);
    if (!g) {
      g = { stats: emptyStats(key), times: [] };
      groups.set(key, g);
    }
    const s = g.stats;
    s.requests++;
    s.outcomes[outcomeOf(t)]++;
    if (t.cardsAt !== null) {
      s.cards++;
      s.cardCopies += t.cardCopies;
      const click = decidingClick(t);
      if (click) g.times.push((click.at - t.cardsAt) / 1000);
    }
  }
  return [...groups.values()]
    .map(({ stats, times }) => {
      times.sort((a, b) => a - b);
      stats.medianDecisionSeconds = quantile(times, 0.5);
      stats.p90DecisionSeconds = quantile(times, 0.9);
      return stats;
    })
    .sort((a, b) => b.cards - a.cards || b.requests - a.requests || a.key.localeCompare(b.key));
}

/** The name a timeline's rule is reported under. */
export const ruleKey = (t: Timeline): string => t.rule ?? '(no rule)';

/** The q-quantile of sorted `values` (nearest rank), or null when there are none. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}

function emptyStats(key: string): GroupStats {
  return {
    key,
    requests: 0,
    outcomes: {
      allowed: 0,
      granted: 0,
      denied: 0,
      approved: 0,
      rejected: 0,
      expired: 0,
      pending: 0,
    },
    cards: 0,
    cardCopies: 0,
    medianDecisionSeconds: null,
    p90DecisionSeconds: null,
  };
}

/** Cards per UTC day per rule: days in order, and for each rule its count per day. */
export function cardsPerDay(
  timelines: Timeline[],
  window: { since: number; until: number },
): { days: string[]; rules: { rule: string; counts: number[] }[] } {
  const first = Math.floor(window.since / 86_400_000);
  const last = Math.floor((window.until - 1) / 86_400_000);
  const days: string[] = [];
  for (let d = first; d <= last; d++)
    days.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
  const rules = new Map<string, number[]>();
  for (const t of timelines) {
    if (t.cardsAt === null) continue;
    const key = ruleKey(t);
    let counts = rules.get(key);
    if (!counts) rules.set(key, (counts = days.map(() => 0)));
    const i = Math.floor(t.cardsAt / 86_400_000) - first;
    if (i >= 0 && i < counts.length) counts[i] = (counts[i] ?? 0) + 1;
  }
  return {
    days,
    rules: [...rules.entries()]
      .map(([rule, counts]) => ({ rule, counts }))
      .sort((a, b) => sum(b.counts) - sum(a.counts) || a.rule.localeCompare(b.rule)),
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
