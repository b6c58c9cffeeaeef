// The skeleton: the view that markers and phrases are matched on, after UTS #39. Each character is
// NFKD-decomposed, combining marks (General_Category M) are dropped, what is left is mapped to the
// ASCII it imitates (confusables-data.ts, generated from Unicode's confusables.txt) and folded
// (scan.ts: lower case, hand-picked look-alikes, digit swaps). A skeleton is not as long as its
// text, so it keeps, per code unit, where in the text its character starts: cuts found on the
// skeleton become cuts of the original characters. One pass; each code point is worked out once.
import { CONFUSABLE_ENTRIES } from './confusables-data.ts';
import { foldCode } from './scan.ts';

const CONFUSABLE = new Map<number, string>();
for (const line of CONFUSABLE_ENTRIES) {
  for (const entry of line.split(' ')) {
    const colon = entry.indexOf(':');
    CONFUSABLE.set(parseInt(entry.slice(0, colon), 16), entry.slice(colon + 1));
  }
}

// Safe: one character class, anchored, no quantifier; tested against a single code point.
const MARK = /^\p{M}$/u;

function foldString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(foldCode(s.charCodeAt(i)));
  return out;
}

/** The skeleton of one non-ASCII code point (possibly empty, possibly several code units). */
function computePiece(cp: number): string {
  if (cp <= 0xffff && foldCode(cp) !== cp) return String.fromCharCode(foldCode(cp));
  let out = '';
  for (const ch of String.fromCodePoint(cp).normalize('NFKD')) {
    if (MARK.test(ch)) continue;
    const c = ch.codePointAt(0) ?? 0;
    const proto = c >= 0x80 && (c > 0xffff || foldCode(c) === c) ? CONFUSABLE.get(c) : undefined;
    out += foldString(proto ?? ch);
  }
  return out;
}

const BMP_PIECES: (string | undefined)[] = new Array<string | undefined>(0x10000);
const ASTRAL_PIECES = new Map<number, string>();

function pieceOf(cp: number): string {
  if (cp <= 0xffff) return (BMP_PIECES[cp] ??= computePiece(cp));
  let p = ASTRAL_PIECES.get(cp);
  if (p === undefined) ASTRAL_PIECES.set(cp, (p = computePiece(cp)));
  return p;
}

const utf16 = new TextDecoder('utf-16le');

/** A text's skeleton, with the way back from skeleton positions to text positions. */
export class Skeleton {
  /** The skeleton string the scanners read. */
  readonly text: string;
  private readonly sourceLength: number;
  /** at[j]: where the character behind skeleton unit j starts; undefined when that is j. */
  private readonly at: Int32Array | undefined;

  constructor(text: string, sourceLength: number, at: Int32Array | undefined) {
    this.text = text;
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

/** The skeleton of `text`: ASCII folds in place; other characters go through NFKD and the table. */
export function skeleton(text: string): Skeleton {
  const n = text.length;
  let out = new Uint16Array(n);
  let at: Int32Array | undefined;
  let o = 0;
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
  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      // room() below always leaves space for the rest of the text at one unit per unit.
      out[o] = foldCode(c);
      if (at) at[o] = i;
      o++;
      i++;
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const p = pieceOf(cp);
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
  return new Skeleton(utf16.decode(out.subarray(0, o)), n, at);
}
