// Rubber-stamp signals: decisions faster than a person can read the card, one approver deciding most
// of a rule's requests, and approvals in bulk at odd hours. Each threshold is a named constant and
// is printed with the findings, so a reader can judge the evidence rather than trust a label.
import { localTime } from '../conditions.ts';
import { ruleKey } from './stats.ts';
import type { Click, Timeline } from './timelines.ts';

/** The thresholds the signals use; printed with them. */
export const thresholds = {
  /** Reading speed assumed for an approval card. */
  wordsPerMinute: 200,
  /** Words every card has: title, agent, capability, method, path, deadline, buttons. */
  cardWords: 30,
  /** Words each body field adds (its name and value). */
  wordsPerField: 3,
  /** An approver is flagged when at least this share of their decisions on a rule were too fast… */
  fastShare: 0.5,
  /** …over at least this many decisions. */
  minDecisions: 10,
  /** One approver deciding more than this share of a rule's requests… */
  dominantShare: 0.8,
  /** …out of at least this many decided requests. */
  minRuleDecisions: 20,
  /** Approvals outside these local hours [from, to) count as odd hours. */
  officeHours: [7, 20] as const,
  /** A burst: at least this many approvals by one person… */
  burstSize: 5,
  /** …within this many minutes. */
  burstMinutes: 10,
};

/** Seconds needed to read `t`'s card once at the assumed reading speed. */
export function readingSeconds(t: Timeline): number {
  const fields = t.fields ? Object.keys(t.fields).length : 0;
  const words = thresholds.cardWords + thresholds.wordsPerField * fields;
  return (words * 60) / thresholds.wordsPerMinute;
}

/** The rubber-stamp signals of one rule. */
export interface RuleSignals {
  rule: string;
  decisions: number;
  /** Deciding clicks faster than reading the card once. */
  fast: number;
  /** Approvers whose decisions on this rule were mostly too fast. */
  fastApprovers: { name: string; decisions: number; fast: number }[];
  /** The approver who decided more than the dominant share, if any. */
  dominant: { name: string; decisions: number; share: number } | null;
  /** Bursts of odd-hour approvals: who, when (first click), how many. */
  bursts: { name: string; at: string; approvals: number }[];
}

/** The signals of every rule that had human decisions, in the time zone `timeZone`. */
export function rubberStampSignals(timelines: Timeline[], timeZone: string): RuleSignals[] {
  const byRule = new Map<string, { t: Timeline; click: Click }[]>();
  for (const t of timelines) {
    if (t.cardsAt === null) continue;
    for (const click of t.clicks) {
      const key = ruleKey(t);
      let list = byRule.get(key);
      if (!list) byRule.set(key, (list = []));
      list.push({ t, click });
    }
  }
  const out: RuleSignals[] = [];
  for (const [rule, clicks] of byRule) {
    const per = new Map<string, { name: string; decisions: number; fast: number }>();
    let fast = 0;
    for (const { t, click } of clicks) {
      const isFast = (click.at - (t.cardsAt ?? click.at)) / 1000 < readingSeconds(t);
      if (isFast) fast++;
      let p = per.get(click.approver);
      if (!p) per.set(click.approver, (p = { name: click.name, decisions: 0, fast: 0 }));
      p.decisions++;
      if (isFast) p.fast++;
    }
    const people = [...per.values()].sort((a, b) => b.decisions - a.decisions);
    const top = people[0];
    const share = top ? top.decisions / clicks.length : 0;
    out.push({
      rule,
      decisions: clicks.length,
      fast,
      fastApprovers: people.filter(
        (p) =>
          p.decisions >= thresholds.minDecisions && p.fast / p.decisions >= thresholds.fastShare,
      ),
      dominant:
        top && clicks.length >= thresholds.minRuleDecisions && share > thresholds.dominantShare
          ? { name: top.name, decisions: top.decisions, share }
          : null,
      bursts: oddHourBursts(
        clicks.map((c) => c.click),
        timeZone,
      ),
    });
  }
  return out.sort((a, b) => b.decisions - a.decisions || a.rule.localeCompare(b.rule));
}

/** True when `at` falls outside office hours in `timeZone`. */
export function oddHour(at: number, timeZone: string): boolean {
  const { minutes } = localTime(new Date(at), timeZone);
  const [from, to] = thresholds.officeHours;
  return minutes < from * 60 || minutes >= to * 60;
}

/** Runs of ≥ burstSize odd-hour approvals by one person with each within burstMinutes of the first. */
function oddHourBursts(clicks: Click[], timeZone: string): RuleSignals['bursts'] {
  const span = thresholds.burstMinutes * 60_000;
  const byPerson = new Map<string, Click[]>();
  for (const c of clicks) {
    if (c.choice !== 'approve' || !oddHour(c.at, timeZone)) continue;
    let list = byPerson.get(c.approver);
    if (!list) byPerson.set(c.approver, (list = []));
    list.push(c);
  }
  const bursts: RuleSignals['bursts'] = [];
  for (const list of byPerson.values()) {
    list.sort((a, b) => a.at - b.at);
    let i = 0;
    while (i < list.length) {
      const first = list[i] as Click;
      let j = i;
      while (j + 1 < list.length && (list[j + 1] as Click).at - first.at <= span) j++;
      const n = j - i + 1;
      if (n >= thresholds.burstSize) {
        bursts.push({ name: first.name, at: new Date(first.at).toISOString(), approvals: n });
        i = j + 1;
      } else i++;
    }
  }
  return bursts.sort((a, b) => a.at.localeCompare(b.at));
}
