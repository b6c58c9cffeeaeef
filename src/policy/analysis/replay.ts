// Replaying a window's requests against a policy with the real evaluator: which would still ask a
// human (cards), and which that a human rejected, or nobody approved, would now pass. A request is
// replayed only when the current policy reproduces the rule it was recorded under (its fields were
// recorded and the policy has not changed for it); the others keep their recorded history.
import { evaluate } from '../evaluate.ts';
import type { LoadedPolicy, PolicyDecision } from '../types.ts';
import { decidingClick, outcomeOf, type Timeline } from './timelines.ts';

/** What a policy would have done with a window's requests. */
export interface ReplayResult {
  /** Requests that would ask humans. */
  cards: number;
  /** The same, per rule. */
  cardsByRule: Record<string, number>;
  /** Ids of requests a human rejected that would pass without one. */
  rejectedPassing: string[];
  /** Ids of requests that expired (nobody approved them in time) that would pass. */
  expiredPassing: string[];
  /** Ids of requests still undecided at the window's end that would pass (not held against an edit). */
  pendingPassing: string[];
  /** Ids of requests the policy denied that would pass. */
  deniedPassing: string[];
  /** Requests kept as recorded: the current policy does not reproduce their recorded rule. */
  unreplayable: number;
}

/**
 * Replay `timelines` (in request order) under `edited`, with `current` (the policy in force) as
 * the reference. Grants: a request a standing grant let through stays covered while `edited`
 * sends it to the same rule. A rule that offers a duration grant in `edited` but not in `current`
 * is simulated: the deciding approver takes the longest grant offered, which then covers later
 * requests with the same grant key (agent, capability, method, rule, key fields) until it ends.
 * `reproducedBefore` (reproduced() of each timeline under `current`) saves that work on repeats.
 */
export function replay(
  timelines: Timeline[],
  current: LoadedPolicy,
  edited: LoadedPolicy,
  reproducedBefore?: (PolicyDecision | null)[],
): ReplayResult {
  const result: ReplayResult = {
    cards: 0,
    cardsByRule: {},
    rejectedPassing: [],
    expiredPassing: [],
    pendingPassing: [],
    deniedPassing: [],
    unreplayable: 0,
  };
  const grants = new Map<string, number>();
  const card = (rule: string | null) => {
    result.cards++;
    const key = rule ?? '(no rule)';
    result.cardsByRule[key] = (result.cardsByRule[key] ?? 0) + 1;
  };
  const passes = (t: Timeline) => {
    const outcome = outcomeOf(t);
    if (outcome === 'rejected') result.rejectedPassing.push(t.id);
    else if (outcome === 'expired') result.expiredPassing.push(t.id);
    else if (outcome === 'pending') result.pendingPassing.push(t.id);
    else if (outcome === 'denied') result.deniedPassing.push(t.id);
  };
  for (const [i, t] of timelines.entries()) {
    const before = reproducedBefore ? (reproducedBefore[i] ?? null) : reproduced(t, current);
    if (!before) {
      result.unreplayable++;
      if (t.cardsAt !== null) card(t.rule);
      continue;
    }
    const after =
      before.policyHash === edited.hash
        ? before
        : evaluate(edited, requestOf(t), new Date(t.requestedAt));
    if (after.decision !== 'approve') {
      if (after.decision === 'allow') passes(t);
      continue;
    }
    if (t.ended === 'granted' && after.rule === t.rule) continue;
    const maxMs = newGrantMs(before, after);
    const key = maxMs === null ? null : grantKey(t, after);
    if (key !== null && (grants.get(key) ?? -Infinity) > t.requestedAt) {
      passes(t);
      continue;
    }
    card(after.rule);
    const click = decidingClick(t);
    if (key !== null && maxMs !== null && click?.choice === 'approve')
      grants.set(key, click.at + maxMs);
  }
  return result;
}

/** `t`'s decision under `current` when it is the one recorded (same rule, same decision), else null. */
export function reproduced(t: Timeline, current: LoadedPolicy): PolicyDecision | null {
  const before = evaluate(current, requestOf(t), new Date(t.requestedAt));
  const recorded = t.ended === 'granted' ? 'approve' : t.policy;
  return before.rule === t.rule && before.decision === recorded ? before : null;
}

/** The duration grant `after` offers that `before` did not (ms), or null. */
function newGrantMs(before: PolicyDecision, after: PolicyDecision): number | null {
  const offered = after.grants.find((g) => g.kind === 'duration');
  if (!offered) return null;
  const had = before.rule === after.rule && before.grants.some((g) => g.kind === 'duration');
  return had ? null : (offered.maxMs ?? null);
}

/** The grant key of `t` under `decision`, or null when a key field was not recorded. */
function grantKey(t: Timeline, decision: PolicyDecision): string | null {
  const values: unknown[] = [];
  for (const field of decision.grantKeyFields) {
    if (!t.fields || !Object.hasOwn(t.fields, field)) return null;
    values.push(t.fields[field]);
  }
  return JSON.stringify([t.agent, t.capability, t.method.toUpperCase(), decision.rule, values]);
}

/** The request `t` stands for, its body rebuilt from the recorded dotted fields. */
export function requestOf(t: Timeline): {
  agent: string;
  capability: string;
  method: string;
  path: string;
  body?: unknown;
} {
  const base = { agent: t.agent, capability: t.capability, method: t.method, path: t.path };
  if (!t.fields) return base;
  const body: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(t.fields)) {
    const parts = path.split('.');
    let node = body;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
      else node = node[part] = {};
    }
    node[parts.at(-1) as string] = value;
  }
  return { ...base, body };
}
