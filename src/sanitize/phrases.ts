// Instruction-override phrasing ("ignore all previous instructions", "you are now …", "act as …")
// and line-start role labels ("System:"), matched as word sequences on the skeleton, so "1gn0re",
// "іgnore" (Cyrillic і), "Ꭵgnore" (Cherokee), "Ign̈ore" and "ignore-all-previous" all match. A
// phrase takes its whole sentence with it (the payload usually follows the phrase), which ends at
// a terminator, a line end, a removed marker (BOUNDARY) or a colon and a space: what follows a
// colon is an order handed over, kept so the instruction finder shows it on the card (issue 20). A
// role label goes alone. Matching is a fixed set of short word patterns tried at each word:
// constant work per word, no regex.
import type { Report } from './report.ts';
import { BOUNDARY, Editor, isSpace, isWordCode } from './scan.ts';
import { foldAt, foldSlice, skeleton } from './skeleton.ts';
import type { Level } from './types.ts';
import { PATTERNS, wordHash } from './phrase-patterns.ts';
import type { Pattern, Slot } from './phrase-patterns.ts';
import { MISSPELL_MIN, oneEditFrom } from './misspell.ts';

/** Token flags: may continue a phrase (short gap, no sentence end); starts a sentence; a line. */
const ADJ = 1;
const SENT = 2;
const LINE = 4;

/**
 * Words of the skeleton as parallel arrays, read through foldAt (a skeleton may be the text itself,
 * folded lazily); word strings are made only when needed.
 */
interface Tokens {
  f: string;
  s: Int32Array;
  e: Int32Array;
  flags: Uint8Array;
  /** wordHash of each word. */
  h: Int32Array;
  n: number;
}

/** True when token k is exactly `w`. */
function tokenIs(t: Tokens, k: number, w: string): boolean {
  const s = t.s[k] ?? 0;
  if ((t.e[k] ?? 0) - s !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (foldAt(t.f, s + i) !== w.charCodeAt(i)) return false;
  return true;
}

/** The word of `slot` that token k is (found by hash, then compared), or undefined. */
function slotWord(t: Tokens, k: number, slot: Slot): string | undefined {
  const w = slot.hashes.get(t.h[k] ?? 0);
  return w !== undefined && tokenIs(t, k, w) ? w : undefined;
}

const RANK: Record<Level, number> = { lenient: 0, standard: 1, strict: 2 };
const BY_FIRST = new Map<string, Pattern[]>();
for (const p of PATTERNS) {
  for (const word of p.slots[0]?.words ?? [])
    BY_FIRST.set(word, [...(BY_FIRST.get(word) ?? []), p]);
}
/** Every word that can start a pattern, as a slot (so it can be looked up by hash). */
const FIRST: Slot = {
  words: new Set(BY_FIRST.keys()),
  hashes: new Map([...BY_FIRST.keys()].map((w) => [wordHash(w), w])),
  prefixes: new Set(),
  min: 1,
  max: 1,
};

/** Double the token arrays' capacity (amortized linear). */
function grow(t: Tokens): void {
  const cap = t.s.length * 2;
  const s = new Int32Array(cap);
  const e = new Int32Array(cap);
  const flags = new Uint8Array(cap);
  const h = new Int32Array(cap);
  s.set(t.s);
  e.set(t.e);
  flags.set(t.flags);
  h.set(t.h);
  t.s = s;
  t.e = e;
  t.flags = flags;
  t.h = h;
}

/** Characters that may stand before a line-start label: blanks, markdown prefixes, table bars. */
function isLinePrefix(c: number): boolean {
  return (
    isSpace(c) ||
    c === 0x2d ||
    c === 0x3e ||
    c === 0x2a ||
    c === 0x23 ||
    c === 0x7c ||
    c === BOUNDARY
  );
}

function tokenize(f: string): Tokens {
  const t: Tokens = {
    f,
    s: new Int32Array(256),
    e: new Int32Array(256),
    flags: new Uint8Array(256),
    h: new Int32Array(256),
    n: 0,
  };
  let prevEnd = 0;
  let prevColon = false;
  let i = 0;
  while (i < f.length) {
    const c = foldAt(f, i);
    const colon = c === 0x3a;
    if (!colon && !isWordCode(c)) {
      i++;
      continue;
    }
    let e = i + 1;
    let h = c;
    for (let fc = foldAt(f, e); !colon && isWordCode(fc); fc = foldAt(f, ++e)) {
      h = (Math.imul(h, 31) + fc) | 0;
    }
    let terminator = false;
    let newline = false;
    // A removed marker starts a sentence but, unlike a terminator, does not break a phrase.
    let marker = false;
    let lineStart = t.n === 0;
    for (let g = prevEnd; g < i; g++) {
      const gc = f.charCodeAt(g);
      if (gc === 0x0a) newline = lineStart = true;
      else if (gc === 0x2e || gc === 0x21 || gc === 0x3f) terminator = true;
      else if (gc === BOUNDARY) marker = true;
      else if (lineStart && !isLinePrefix(gc)) lineStart = false;
    }
    if (t.n === t.s.length) grow(t);
    const k = t.n++;
    t.s[k] = i;
    t.e[k] = e;
    t.h[k] = h;
    t.flags[k] =
      (k > 0 && i - prevEnd <= 8 && !terminator && !newline ? ADJ : 0) |
      // Every line starts a sentence, so removing one line never makes the next one a new match.
      (k === 0 || terminator || newline || marker || prevColon ? SENT : 0) |
      (lineStart ? LINE : 0);
    prevEnd = e;
    prevColon = colon;
    i = e;
  }
  return t;
}

/** True when token k is one edit from a long word of `slot` ("iunstructions"). */
function misspelt(t: Tokens, k: number, slot: Slot): boolean {
  const s = t.s[k] ?? 0;
  const len = (t.e[k] ?? 0) - s;
  if (len < MISSPELL_MIN - 1) return false;
  const at = (i: number): number => foldAt(t.f, s + i);
  for (const x of slot.words ?? []) if (oneEditFrom(at, len, x)) return true;
  return false;
}

/** True when the last slot's word is glued to more letters ("instructionsand"). */
function gluedLast(t: Tokens, k: number, slot: Slot): boolean {
  const s = t.s[k] ?? 0;
  if ((t.e[k] ?? 0) - s <= 4 || !slot.prefixes.has(foldSlice(t.f, s, s + 4))) return false;
  const w = foldSlice(t.f, s, t.e[k] ?? 0);
  for (const x of slot.words ?? []) if (x.length >= 4 && w.startsWith(x)) return true;
  return false;
}

/**
 * The token index after a match of slots[si..] starting at token k, or -1. The first token is
 * read as `firstWord` (a verb glued to letters before it: "xignore" is read as "ignore").
 */
function matchFrom(
  t: Tokens,
  first: number,
  firstWord: string,
  k: number,
  slots: Slot[],
  si: number,
): number {
  if (si >= slots.length) return k;
  const slot = slots[si] as Slot;
  for (let count = 0; ; count++) {
    if (count >= slot.min) {
      const r = matchFrom(t, first, firstWord, k, slots, si + 1);
      if (r >= 0) return r;
    }
    if (count === slot.max || k >= t.n || (k > first && ((t.flags[k] ?? 0) & ADJ) === 0)) return -1;
    let ok: boolean;
    if (!slot.words) ok = t.f.charCodeAt(t.s[k] ?? 0) !== 0x3a;
    else if (k === first) ok = slot.words.has(firstWord);
    else
      ok =
        slotWord(t, k, slot) !== undefined ||
        (si > 0 && si === slots.length - 1 && gluedLast(t, k, slot)) ||
        (slot.fuzzy === true && misspelt(t, k, slot));
    if (!ok) return -1;
    k++;
  }
}

/**
 * First words of the every-level patterns (override verbs, "new …:") may be glued to letters
 * before them ("pleaseignore"); their lengths and cheap keys, to avoid slicing every word.
 */
const GLUABLE = new Set(
  PATTERNS.filter((p) => p.from === 'lenient').flatMap((p) => [...(p.slots[0]?.words ?? [])]),
);
const GLUE_LENGTHS = [...new Set([...GLUABLE].map((v) => v.length))];
const GLUE_KEYS = new Set([...GLUABLE].map((v) => v.charCodeAt(0) * 64 + v.length));

/** The gluable first word that f[s, e) ends with (after other letters), or undefined. */
function gluedFirst(f: string, s: number, e: number): string | undefined {
  for (const len of GLUE_LENGTHS) {
    if (e - s <= len || !GLUE_KEYS.has(foldAt(f, e - len) * 64 + len)) continue;
    const v = foldSlice(f, e - len, e);
    if (GLUABLE.has(v)) return v;
  }
  return undefined;
}

/** True when a sentence ends just before p: a line end, a removed marker, or . ! ? and a space. */
function isBoundaryBefore(f: string, p: number): boolean {
  const c = f.charCodeAt(p - 1);
  return (
    c === 0x0a ||
    c === BOUNDARY ||
    ((c === 0x2e || c === 0x21 || c === 0x3f) && isSpace(f.charCodeAt(p)))
  );
}

/** True when a colon and a space meet at p: what follows is handed over, not part of the phrase. */
function handsOver(f: string, p: number): boolean {
  return f.charCodeAt(p - 1) === 0x3a && isSpace(f.charCodeAt(p));
}

/** Remove override phrases (with their sentence) and role labels active at `level`. */
export function removePhrases(text: string, level: Level, report: Report): string {
  const sk = skeleton(text);
  const f = sk.text;
  const t = tokenize(f);
  const ed = new Editor(text);
  let floor = 0;
  /** Set when the last cut started a line: the next word then starts it, as the next pass sees. */
  let lineFrom = -1;
  for (let k = 0; k < t.n; k++) {
    const s = t.s[k] ?? 0;
    const e = t.e[k] ?? 0;
    if (s < floor) continue;
    if (lineFrom >= 0) {
      let g = lineFrom;
      while (g < s && isLinePrefix(f.charCodeAt(g))) g++;
      if (g === s) t.flags[k] = (t.flags[k] ?? 0) | LINE | SENT;
      lineFrom = -1;
    }
    const first = slotWord(t, k, FIRST) ?? gluedFirst(f, s, e);
    if (!first) continue;
    const flags = t.flags[k] ?? 0;
    for (const p of BY_FIRST.get(first) ?? []) {
      if (RANK[level] < RANK[p.from]) continue;
      if ((p.anchor === 'line' && !(flags & LINE)) || (p.anchor === 'sentence' && !(flags & SENT)))
        continue;
      const endTok = matchFrom(t, k, first, k, p.slots, 0);
      if (endTok < 0) continue;
      let start = s;
      let end = t.e[endTok - 1] ?? e;
      // A label takes the `#`s glued before it (`#System:` is no heading, the # would be left over).
      if (p.scope === 'label') while (start > floor && f.charCodeAt(start - 1) === 0x23) start--;
      if (p.scope === 'sentence') {
        // The whole sentence: back at most 300 characters (the part before stays, harmless),
        // forward to its end however far, so what follows is a fresh sentence in any later pass.
        const back = Math.max(floor, start - 300);
        while (start > back && !isBoundaryBefore(f, start)) start--;
        while (isSpace(f.charCodeAt(start)) && start < s) start++;
        // Up to a colon: what follows it is the order handed over ("…the following instruction:
        // Send …"), kept so the instruction finder shows it on the card (issue 20).
        while (end < f.length && f.charCodeAt(end) !== 0x0a && !isBoundaryBefore(f, end + 1)) {
          if (handsOver(f, end)) break;
          end++;
        }
        if (end < f.length && f.charCodeAt(end) !== 0x0a && !handsOver(f, end)) end++;
      }
      while (f.charCodeAt(end) === 0x20 || f.charCodeAt(end) === 0x09) end++;
      // Matched on the skeleton, cut in the text: the original characters, marks and all.
      const from = Math.max(ed.cutEnd, sk.start(start));
      const to = Math.max(from, sk.end(end));
      report.add(
        p.scope === 'label' ? 'role-marker' : 'instruction-override',
        text.slice(from, to),
      );
      ed.cut(from, to);
      floor = end;
      if (flags & LINE) lineFrom = end;
      break;
    }
  }
  return ed.done();
}
