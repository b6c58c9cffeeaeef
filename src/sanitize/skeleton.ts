// The matching view that markers and phrases are read on: a skeleton after UTS #39. Each character
// is NFKD-decomposed, combining marks (General_Category M) are dropped, what is left is mapped by
// the hand-picked look-alikes (lookalikes.ts) or else by Unicode's confusables data
// (confusables-data.ts) to the ASCII it imitates, and lower-cased. Most characters come out as one
// code unit ("é" → "e", "Ꭺ" → "a"): `fold` maps those in place, so an index in the folded view is
// the same index in the text. A text with any other (a mark, "ǁ" → "ll") gets a real skeleton,
// which keeps, per code unit, where its character starts in the text, so a cut found on it removes
// exactly the original characters. Each code point is worked out once; the view is one pass.
import { CONFUSABLE_ENTRIES } from './confusables-data.ts';
import { LOOKALIKE } from './lookalikes.ts';

const CONFUSABLE = new Map<number, string>();
for (const line of CONFUSABLE_ENTRIES) {
  for (const entry of line.split(' ')) {
    const colon = entry.indexOf(':');
    CONFUSABLE.set(parseInt(entry.slice(0, colon), 16), entry.slice(colon + 1));
  }
}

/** ASCII lower case, the hand-picked look-alikes and digit swaps; identity elsewhere. */
const BASE = new Uint16Array(0x10000);
for (let c = 0; c < 0x10000; c++) BASE[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
for (const [from, to] of Object.entries(LOOKALIKE)) BASE[from.charCodeAt(0)] = to.charCodeAt(0);

// Safe: one character class, anchored, no quantifier; tested against a single code point.
const MARK = /^\p{M}$/u;

function baseString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(BASE[s.charCodeAt(i)] ?? 0);
  return out;
}

/** The skeleton of one code point (possibly empty, possibly several code units). */
function computePiece(cp: number): string {
  if (cp <= 0xffff && BASE[cp] !== cp) return String.fromCharCode(BASE[cp] ?? 0);
  let out = '';
  for (const ch of String.fromCodePoint(cp).normalize('NFKD')) {
    if (MARK.test(ch)) continue;
    const c = ch.codePointAt(0) ?? 0;
    const proto = c >= 0x80 && (c > 0xffff || BASE[c] === c) ? CONFUSABLE.get(c) : undefined;
    out += baseString(proto ?? ch);
  }
  return out;
}

const ASTRAL_PIECES = new Map<number, string>();

function astralPiece(cp: number): string {
  let p = ASTRAL_PIECES.get(cp);
  if (p === undefined) ASTRAL_PIECES.set(cp, (p = computePiece(cp)));
  return p;
}

/** Per BMP code unit, its one-unit skeleton (UNIT) when SIMPLE is 1; SIMPLE 0 is not known yet. */
const UNIT = new Uint16Array(0x10000);
const SIMPLE = new Uint8Array(0x10000);
const PIECES = new Map<number, string>();
for (let c = 0; c < 0x80; c++) {
  UNIT[c] = BASE[c] ?? c;
  SIMPLE[c] = 1;
}
// A high surrogate is read with the one after it, so it never counts as simple on its own.
for (let c = 0xd800; c <= 0xdbff; c++) {
  UNIT[c] = c;
  SIMPLE[c] = 2;
  PIECES.set(c, String.fromCharCode(c));
}

function learn(c: number): number {
  const p = computePiece(c);
  const simple = p.length === 1;
  UNIT[c] = simple ? p.charCodeAt(0) : c;
  if (!simple) PIECES.set(c, p);
  SIMPLE[c] = simple ? 1 : 2;
  return SIMPLE[c];
}

/** The folded form of one UTF-16 code unit: its skeleton when that is one unit, else itself. */
export function foldCode(c: number): number {
  if ((SIMPLE[c] ?? 1) === 0) learn(c);
  return UNIT[c] ?? c;
}

const utf16 = new TextDecoder('utf-16le');

/** The folded view of `text`: same length, each code unit folded by foldCode. */
export function fold(text: string): string {
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 0x80 ? (UNIT[c] ?? c) : foldCode(c);
  }
  return utf16.decode(out);
}

/** The folded code unit of text[i] (NaN past the end, like charCodeAt). */
export function foldAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c === c ? foldCode(c) : c;
}

/** The folded form of text[s, e), at most its first 64 code units (enough for any word we match). */
export function foldSlice(text: string, s: number, e: number): string {
  const end = Math.min(e, s + 64);
  let same = true;
  for (let i = s; i < end && same; i++) same = foldCode(text.charCodeAt(i)) === text.charCodeAt(i);
  if (same) return text.slice(s, end);
  let out = '';
  for (let i = s; i < end; i++) out += String.fromCharCode(foldCode(text.charCodeAt(i)));
  return out;
}

/** The astral code point at text[i] when a surrogate pair starts there, else -1. */
function pairAt(text: string, i: number, c: number): number {
  if (c < 0xd800 || c > 0xdbff) return -1;
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000 : -1;
}

// Safe: one character class, no quantifier; finds the first non-ASCII code unit in one scan.
const NON_ASCII = /[\u0080-\uffff]/;

/** Where the first character of `text` that does not fold to one unit per unit is, or length. */
function firstComplex(text: string): number {
  const from = text.search(NON_ASCII);
  if (from < 0) return text.length;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    const cp = pairAt(text, i, c);
    if (cp >= 0) {
      if (astralPiece(cp) !== String.fromCharCode(c, text.charCodeAt(i + 1))) return i;
      i++;
    } else if (((SIMPLE[c] ?? 0) || learn(c)) === 2) {
      return i;
    }
  }
  return text.length;
}

/** A text's skeleton, with the way back from skeleton positions to text positions. */
export class Skeleton {
  /** The skeleton string the scanners read; when not `folded`, the text itself, read folded. */
  readonly text: string;
  /** False when the text is its own skeleton up to folding (read it through fold/foldAt). */
  readonly folded: boolean;
  private readonly sourceLength: number;
  /** at[j]: where the character behind skeleton unit j starts; undefined when that is j. */
  private readonly at: Int32Array | undefined;

  constructor(text: string, sourceLength: number, at: Int32Array | undefined, folded: boolean) {
    this.text = text;
    this.folded = folded;
    this.sourceLength = sourceLength;
    this.at = at;
  }

  /** The text position where a cut starting at skeleton position j starts. */
  start(j: number): number {
    if (j >= this.text.length) return this.sourceLength;
    return this.at ? (this.at[j] ?? this.sourceLength) : j;
  }

  /**
   * The text position where a cut ending at skeleton position j (exclusive) ends: the start of the
   * character behind unit j, so marks after the last cut letter go with it; a cut ending inside
   * one character's expansion takes the whole character.
   */
  end(j: number): number {
    const at = this.at;
    if (!at || j <= 0) return this.start(j);
    const last = at[j - 1];
    let k = j;
    while (k < this.text.length && at[k] === last) k++;
    return this.start(k);
  }
}

/**
 * The skeleton of `text`. When every character folds to one unit per unit, that is the text itself
 * (`folded` false: read it through fold/foldAt); otherwise a folded copy with a way back.
 */
export function skeleton(text: string): Skeleton {
  const n = text.length;
  const first = firstComplex(text);
  if (first === n) return new Skeleton(text, n, undefined, false);
  let out = new Uint16Array(n);
  for (let k = 0; k < first; k++) out[k] = foldCode(text.charCodeAt(k));
  let at: Int32Array | undefined;
  let o = first;
  const room = (need: number): void => {
    if (o + need <= out.length) return;
    const bigger = new Uint16Array(Math.max(out.length * 2, o + need));
    bigger.set(out);
    out = bigger;
    if (at) {
      const atBigger = new Int32Array(bigger.length);
      atBigger.set(at);
      at = atBigger;
    }
  };
  for (let i = first; i < n;) {
    const c = text.charCodeAt(i);
    // room() below always leaves space for the rest of the text at one unit per unit.
    if ((SIMPLE[c] ?? 0) === 1) {
      out[o] = UNIT[c] ?? c;
      if (at) at[o] = i;
      o++;
      i++;
      continue;
    }
    const cp = pairAt(text, i, c);
    const width = cp >= 0 ? 2 : 1;
    let p: string;
    if (cp >= 0) p = astralPiece(cp);
    else if (((SIMPLE[c] ?? 0) || learn(c)) === 1) p = String.fromCharCode(UNIT[c] ?? c);
    else p = PIECES.get(c) ?? '';
    room(p.length + n - i);
    if (!at && p.length !== width) {
      // The first character whose skeleton is not one unit per unit: positions diverge here.
      at = new Int32Array(out.length);
      for (let k = 0; k < o; k++) at[k] = k;
    }
    for (let k = 0; k < p.length; k++) {
      out[o + k] = p.charCodeAt(k);
      // Units of a same-length piece map one to one (an unchanged surrogate pair stays two).
      if (at) at[o + k] = p.length === width ? i + k : i;
    }
    o += p.length;
    i += width;
  }
  return new Skeleton(utf16.decode(out.subarray(0, o)), n, at, true);
}
