// Proposing policy edits from a window's history, each measured by replaying the window against the
// edited policy (replay.ts, the real evaluator on the real edited files). A suggestion that would
// let through a request a human rejected, that nobody approved (expired or undecided), or that the
// policy denied is never made: those counts are part of every suggestion and are always 0.
import { parsePolicySet } from '../load.ts';
import type { LoadedPolicy } from '../types.ts';
import { insertRuleBefore, offerDurationGrant, unifiedDiff, type NewRule } from './edit.ts';
import { replay, reproduced, type ReplayResult } from './replay.ts';
import { quantile } from './stats.ts';
import { decidingClick, outcomeOf, type Timeline } from './timelines.ts';

/** A policy file's name and text. */
export interface Source {
  file: string;
  text: string;
}

/** One proposed edit and its measured effect on the whole window. */
export interface Suggestion {
  kind: 'threshold' | 'grant';
  rule: string;
  /** One line a person reads: the evidence, the edit, the effect. */
  summary: string;
  edit: { field: string; lt: number } | { maxDuration: string };
  cardsBefore: number;
  cardsAfter: number;
  rejectedPassing: number;
  expiredPassing: number;
  deniedPassing: number;
  /** Requests still undecided at the window's end that would pass (shown, not held against it). */
  pendingPassing: number;
}

/** Every suggestion, the effect of all of them together, and the diff that makes them. */
export interface SuggestResult {
  baseline: ReplayResult;
  suggestions: Suggestion[];
  combined: ReplayResult;
  diff: string;
  /** The edited files (only those that changed). */
  edited: Source[];
  /**
   * Rules left alone because refused requests (rejected, expired, denied) on their capability
   * cannot be replayed (fields not recorded, or the policy changed for them): nobody can tell
   * whether an edit would let those through.
   */
  held: { rule: string; unreplayableRefused: number }[];
}

/** Least approved requests under a threshold, and least cards a grant must save, to suggest it. */
export const minEvidence = 10;
const grantSpans = ['8h', '4h', '2h', '1h'];

type Edit = (text: string) => string;

/** Suggestions for `timelines` (in request order) under `current`, loaded from `sources`. */
export function suggest(
  timelines: Timeline[],
  current: LoadedPolicy,
  sources: Source[],
): SuggestResult {
  // Each timeline's decision under the current policy, once: every measurement replays against it.
  const befores = timelines.map((t) => reproduced(t, current));
  const baseline = replay(timelines, current, current, befores);
  const measure = (edits: { rule: string; edit: Edit }[]) => {
    const files = applyEdits(sources, edits);
    if (!files) return null;
    let policy: LoadedPolicy;
    try {
      policy = parsePolicySet(files);
    } catch {
      return null; // an edit the checker refuses is not suggested
    }
    return { files, result: replay(timelines, current, policy, befores) };
  };
  const byRule = new Map<string, Timeline[]>();
  for (const [i, t] of timelines.entries()) {
    const d = befores[i];
    if (d?.decision !== 'approve' || !d.rule || t.ended === 'granted') continue;
    let list = byRule.get(d.rule);
    if (!list) byRule.set(d.rule, (list = []));
    list.push(t);
  }
  const found: { s: Suggestion; edit: { rule: string; edit: Edit } }[] = [];
  const refusedUnknown = timelines.filter(
    (t, i) => !befores[i] && ['rejected', 'expired', 'denied'].includes(outcomeOf(t)),
  );
  const held: SuggestResult['held'] = [];
  const safe = (r: ReplayResult) =>
    r.rejectedPassing.length + r.expiredPassing.length + r.deniedPassing.length === 0;
  const suggestion = (
    kind: Suggestion['kind'],
    rule: string,
    edit: Suggestion['edit'],
    r: ReplayResult,
    evidence: string,
  ): Suggestion => ({
    kind,
    rule,
    summary: `rule ${rule}: ${evidence}: ${baseline.cards - r.cards} fewer cards (${baseline.cards} → ${r.cards}); rejected requests that would have passed: ${r.rejectedPassing.length}, expired: ${r.expiredPassing.length}, denied: ${r.deniedPassing.length}`,
    edit,
    cardsBefore: baseline.cards,
    cardsAfter: r.cards,
    rejectedPassing: r.rejectedPassing.length,
    expiredPassing: r.expiredPassing.length,
    deniedPassing: r.deniedPassing.length,
    pendingPassing: r.pendingPassing.length,
  });

  for (const [ruleId, list] of byRule) {
    const rule = current.set.rules.find((r) => r.id === ruleId);
    if (!rule) continue;
    // A rule without a capability list covers every capability.
    const unknown = refusedUnknown.filter(
      (t) => !rule.capability || rule.capability.includes(t.capability),
    ).length;
    if (unknown > 0) {
      held.push({ rule: ruleId, unreplayableRefused: unknown });
      continue;
    }
    // A threshold: allow below the smallest value any unapproved request had.
    let best: (typeof found)[number] | null = null;
    for (const field of numericFields(list)) {
      const t = threshold(list, field);
      if (!t) continue;
      const newRule: NewRule = {
        id: uniqueId(current, `${ruleId}-below-${t.lt}`),
        description: `Suggested by airlock policy suggest: ${ruleId} requests with ${field} below ${t.lt} were all approved.`,
        agent: rule.agent,
        capability: rule.capability,
        method: rule.method,
        path: rule.path,
        when: [...rule.when, { field, lt: t.lt }],
        during: rule.during,
        decision: 'allow',
      };
      const edit = {
        rule: ruleId,
        edit: (text: string) => insertRuleBefore(text, ruleId, newRule),
      };
      const m = measure([edit]);
      if (!m || !safe(m.result) || m.result.cards >= baseline.cards) continue;
      const evidence = `${t.approved} of ${list.length} approved; all ${t.below} decided with ${field} below ${t.lt} were approved, median decision ${t.medianSeconds ?? '?'} s → allow ${field} below ${t.lt}`;
      const s = suggestion('threshold', ruleId, { field, lt: t.lt }, m.result, evidence);
      if (!best || s.cardsAfter < best.s.cardsAfter) best = { s, edit };
    }
    if (best) found.push(best);
    // A grant: the deciding approver may approve the same kind of request for a while.
    if (!rule.approval || rule.approval.grants.includes('duration')) continue;
    const cardsHere = baseline.cardsByRule[ruleId] ?? 0;
    const refused: string[] = [];
    for (const span of grantSpans) {
      const edit = { rule: ruleId, edit: (text: string) => offerDurationGrant(text, ruleId, span) };
      const m = measure([edit]);
      if (!m) continue;
      if (!safe(m.result)) {
        const r = m.result;
        refused.push(
          `${span} would pass ${r.rejectedPassing.length} rejected, ${r.expiredPassing.length} expired`,
        );
        continue;
      }
      const saved = baseline.cards - m.result.cards;
      if (saved < Math.max(minEvidence, cardsHere / 10)) continue;
      const after = m.result.cardsByRule[ruleId] ?? 0;
      const longer = refused.length ? ` (longer: ${refused.join('; ')})` : '';
      const evidence = `approvers repeatedly approve the same ${keyText(rule.approval.grantKeyFields)} → offer a ${span} grant${longer}: ${cardsHere} → ${after} cards on this rule`;
      found.push({
        s: suggestion('grant', ruleId, { maxDuration: span }, m.result, evidence),
        edit,
      });
      break;
    }
  }
  found.sort((a, b) => a.s.cardsAfter - b.s.cardsAfter || a.s.rule.localeCompare(b.s.rule));
  // All of them together, dropping from the least useful end until the whole set is safe.
  let kept = found;
  let combined = measure(kept.map((f) => f.edit));
  while (kept.length > 0 && (!combined || !safe(combined.result))) {
    kept = kept.slice(0, -1);
    combined = measure(kept.map((f) => f.edit));
  }
  const files = combined?.files ?? sources;
  const edited = files.filter((f, i) => f.text !== sources[i]?.text);
  const diff = files.map((f, i) => unifiedDiff(f.file, sources[i]?.text ?? '', f.text)).join('');
  return {
    baseline,
    suggestions: kept.map((f) => f.s),
    combined: combined?.result ?? baseline,
    diff,
    edited,
    held,
  };
}

function keyText(fields: string[]): string {
  return fields.length ? `${fields.join(' and ')}` : 'kind of request';
}

/** `sources` with each edit applied to the file that defines its rule; null when one fails. */
function applyEdits(sources: Source[], edits: { rule: string; edit: Edit }[]): Source[] | null {
  const files = sources.map((s) => ({ ...s }));
  for (const { edit } of edits) {
    const i = files.findIndex((f) => {
      try {
        edit(f.text);
        return true;
      } catch {
        return false;
      }
    });
    const file = files[i];
    if (!file) return null;
    file.text = edit(file.text);
  }
  return files;
}

/** Fields that are numbers in at least 90% of `list`'s recorded fields. */
function numericFields(list: Timeline[]): string[] {
  const counts = new Map<string, number>();
  for (const t of list)
    for (const [k, v] of Object.entries(t.fields ?? {}))
      if (typeof v === 'number') counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n >= list.length * 0.9)
    .map(([k]) => k)
    .sort();
}

/**
 * The threshold for `field`: below the smallest value a request that was not approved had (or,
 * when every request was approved, below the 90th percentile), rounded down to a readable number.
 */
function threshold(list: Timeline[], field: string) {
  const value = (t: Timeline) => t.fields?.[field];
  let bad = Infinity;
  const approved: number[] = [];
  const times: number[] = [];
  for (const t of list) {
    const v = value(t);
    if (typeof v !== 'number') continue;
    const outcome = outcomeOf(t);
    if (outcome === 'approved') approved.push(v);
    else if (outcome !== 'pending') bad = Math.min(bad, v);
  }
  approved.sort((a, b) => a - b);
  const upper = Number.isFinite(bad) ? bad : quantile(approved, 0.9);
  if (upper === null || upper <= 0) return null;
  const lt = roundDown(upper);
  const below = list.filter((t) => {
    const v = value(t);
    return typeof v === 'number' && v < lt;
  });
  const decided = below.filter((t) => outcomeOf(t) !== 'pending');
  if (decided.length < minEvidence || decided.some((t) => outcomeOf(t) !== 'approved')) return null;
  for (const t of below) {
    const click = decidingClick(t);
    if (click && t.cardsAt !== null) times.push((click.at - t.cardsAt) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  return {
    lt,
    below: decided.length,
    approved: approved.length,
    medianSeconds: median === null ? null : Math.round(median),
  };
}

/** `x` rounded down to a multiple of 5 × 10^(digits − 2): 83.5 → 80, 1234 → 1200, 7.3 → 7. */
export function roundDown(x: number): number {
  const step = 5 * 10 ** (Math.floor(Math.log10(x)) - 1);
  const r = Math.floor(x / step) * step;
  return r > 0 ? Number(r.toPrecision(12)) : x;
}

function uniqueId(policy: LoadedPolicy, id: string): string {
  const taken = new Set(policy.set.rules.map((r) => r.id));
  const base = id.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60);
  let out = base;
  for (let n = 2; taken.has(out); n++) out = `${base}-${n}`;
  return out;
}
