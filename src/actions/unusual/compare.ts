// How one request compares with its agent's earlier requests under the same rule: a number far
// from the agent's median, a path or a usually-repeated value seen for the first time, several
// requests in a short time, or the first request under the rule at all. Nothing when nothing
// stands out: a card that always warns teaches approvers to skip the warning.
import { HISTORY_WINDOW_MS, type RequestSample } from '../../audit/request-history.ts';
import type { ActionRequest } from '../../../workflows/sensitive-action/request.ts';
import type { UnusualFinding } from '../../../workflows/sensitive-action/types.ts';
import { callShape, digest, historyFields } from './fields.ts';

/** Earlier values of a field needed before it is compared at all. */
export const MIN_SAMPLES = 5;
/** A number this many times the median (or this fraction of it, inverted) is flagged. */
export const RATIO_FLAGGED = 3;
/** A string field counts as usually repeated when its distinct values are at most this share. */
export const REPEATED_SHARE = 0.5;
/** The rate window, and the count within it (this request included) that is flagged. */
export const RATE_WINDOW_MS = 10 * 60 * 1000;
export const RATE_FLAGGED = 3;
/** Findings kept per request (the card shows them all). */
export const FINDINGS_MAX = 5;
/** Longest value quoted in a finding. */
const QUOTE_MAX = 60;

const moneyName = /amount|total|price|sum|fee|cost|value/i;

/** Findings for `request` (rule `rule`) against `earlier` (oldest first), as of `now`. */
export function compareRequest(
  request: ActionRequest,
  rule: string,
  earlier: RequestSample[],
  now: number,
): UnusualFinding[] {
  if (earlier.length === 0)
    return [
      {
        kind: 'first-request',
        field: null,
        value: null,
        baseline: 0,
        text: `first request by this agent under rule ${rule} in ${HISTORY_WINDOW_MS / 86_400_000} days`,
      },
    ];
  const findings: UnusualFinding[] = [];
  const shape = callShape(request.method, request.path);
  if (!earlier.some((s) => callShape(s.method, s.path) === shape))
    findings.push({
      kind: 'new-path',
      field: 'path',
      value: `${request.method.toUpperCase()} ${quote(request.path)}`,
      baseline: earlier.length,
      text: `first time this agent calls ${request.method.toUpperCase()} ${quote(request.path)} (${earlier.length} earlier requests under this rule)`,
    });
  const body = (request.body ?? {}) as Record<string, unknown>;
  const currency = typeof body['currency'] === 'string' ? body['currency'] : '';
  const unit = /^[A-Za-z]{3}$/.test(currency) ? ` ${currency.toUpperCase()}` : '';
  for (const [field, kept] of Object.entries(historyFields(request.body))) {
    const raw = body[field];
    if (typeof kept === 'number') {
      const f = numberFinding(field, kept, earlier, moneyName.test(field) ? unit : '');
      if (f) findings.push(f);
    } else if (typeof raw === 'string') {
      const f = valueFinding(field, raw, earlier);
      if (f) findings.push(f);
    }
  }
  const recent = earlier.filter((s) => now - s.at <= RATE_WINDOW_MS).length + 1;
  if (recent >= RATE_FLAGGED)
    findings.push({
      kind: 'rate',
      field: null,
      value: recent,
      baseline: `${RATE_WINDOW_MS / 60_000} minutes`,
      text: `${ordinal(recent)} request in ${RATE_WINDOW_MS / 60_000} minutes`,
    });
  return findings.slice(0, FINDINGS_MAX);
}

function numberFinding(
  field: string,
  value: number,
  earlier: RequestSample[],
  unit: string,
): UnusualFinding | null {
  const prior = earlier.map((s) => s.fields[field]).filter((v) => typeof v === 'number');
  if (prior.length < MIN_SAMPLES) return null;
  const median = medianOf(prior);
  if (median <= 0 || value < 0) return null;
  const ratio = value / median;
  const base = `${field} ${num(value)}${unit}`;
  const of = `this agent's median (${num(median)}${unit})`;
  let text: string;
  if (ratio >= RATIO_FLAGGED) text = `${base} — ${times(ratio)}× ${of}`;
  else if (value === 0) text = `${base} — ${of}`;
  else if (ratio <= 1 / RATIO_FLAGGED) text = `${base} — 1/${times(1 / ratio)} of ${of}`;
  else return null;
  return { kind: 'ratio', field, value, baseline: median, text };
}

function valueFinding(field: string, raw: string, earlier: RequestSample[]): UnusualFinding | null {
  // A field the policy decides on is recorded in clear; compare everything as digests.
  const prior = earlier
    .map((s) => s.fields[field])
    .filter((v) => typeof v === 'string')
    .map((v) => (/^s:[0-9a-f]{16}$/.test(v) ? v : digest(v)));
  if (prior.length < MIN_SAMPLES) return null;
  const seen = new Set(prior);
  // Free text (a reason, a memo) is new every time: only a field the agent repeats is compared.
  if (seen.size > prior.length * REPEATED_SHARE || seen.has(digest(raw))) return null;
  const others = `${seen.size} other value${seen.size === 1 ? '' : 's'} in ${prior.length} requests`;
  return {
    kind: 'new-value',
    field,
    value: quote(raw),
    baseline: seen.size,
    text: `${field} “${quote(raw)}” — first time for this agent (${others})`,
  };
}

/** The median of a non-empty list. */
export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const times = (r: number) => (r >= 10 ? String(Math.round(r)) : String(Math.round(r * 10) / 10));
const quote = (s: string) => (s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX - 1)}…` : s);

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}
