// Collects what the sanitizer removed, in a bounded form: per-character removals and markup are
// tallied (one entry per label with a count), distinct findings are listed up to a cap per kind,
// so a 5 MB hostile input yields a report an approver can read, never one as large as the input.
import type { Removal, RemovalKind } from './types.ts';

const MAX_PER_KIND = 20;
const EXCERPT_MAX = 80;
const OTHERS = 'others';

/** Make `s` a short single-line excerpt of visible characters only (≤ 80 code units). */
export function excerptOf(s: string): string {
  let out = '';
  let space = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x300 && MARK.test(ch)) continue; // combining marks go without leaving a gap
    if (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || !VISIBLE.test(ch)) {
      space = out.length > 0;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
    if (out.length > EXCERPT_MAX) break;
  }
  if (out.length <= EXCERPT_MAX) return out;
  let cut = EXCERPT_MAX - 3;
  if (isHighSurrogate(out.charCodeAt(cut - 1))) cut--;
  return `${out.slice(0, cut)}...`;
}

// Safe: a single character class tested against one character at a time, no quantifiers.
const VISIBLE = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{M}]$/u;
// Safe: a single character class tested against one character, no quantifiers.
const MARK = /^\p{M}$/u;

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** A bounded report of removals; passes write into one, the pipeline merges them. */
export class Report {
  private readonly listed: Removal[] = [];
  private readonly perKind = new Map<RemovalKind, number>();
  private readonly tallies = new Map<string, { kind: RemovalKind; label: string; n: number }>();
  private readonly labelsPerKind = new Map<RemovalKind, number>();

  /** Record one distinct finding with an excerpt of what went. */
  add(kind: RemovalKind, excerpt: string): void {
    const n = (this.perKind.get(kind) ?? 0) + 1;
    this.perKind.set(kind, n);
    if (n <= MAX_PER_KIND) this.listed.push({ kind, excerpt: excerptOf(excerpt) });
  }

  /** Count `n` removals of the same sort (e.g. one code point, or emphasis markers). */
  tally(kind: RemovalKind, label: string, n = 1): void {
    const key = `${kind}\u0000${label}`;
    const t = this.tallies.get(key);
    if (t) {
      t.n += n;
      return;
    }
    // At most MAX_PER_KIND distinct labels per kind; the rest are counted together.
    const labels = (this.labelsPerKind.get(kind) ?? 0) + 1;
    if (labels > MAX_PER_KIND && label !== OTHERS) return this.tally(kind, OTHERS, n);
    this.labelsPerKind.set(kind, labels);
    this.tallies.set(key, { kind, label, n });
  }

  /** True when nothing was recorded. */
  get empty(): boolean {
    return this.listed.length === 0 && this.tallies.size === 0;
  }

  /** Add everything `other` recorded to this report. */
  merge(other: Report): void {
    for (const r of other.listed) this.add(r.kind, r.excerpt);
    for (const [kind, n] of other.perKind) {
      const shown = Math.min(n, MAX_PER_KIND);
      if (n > shown) this.perKind.set(kind, (this.perKind.get(kind) ?? 0) + n - shown);
    }
    for (const t of other.tallies.values()) this.tally(t.kind, t.label, t.n);
  }

  /** The entries: listed findings, then tallies, then one "more not listed" line per full kind. */
  entries(): Removal[] {
    const out = [...this.listed];
    for (const t of this.tallies.values()) {
      out.push({ kind: t.kind, excerpt: excerptOf(t.n === 1 ? t.label : `${t.label} x${t.n}`) });
    }
    for (const [kind, n] of this.perKind) {
      if (n > MAX_PER_KIND) out.push({ kind, excerpt: `${n - MAX_PER_KIND} more not listed` });
    }
    return out;
  }
}
