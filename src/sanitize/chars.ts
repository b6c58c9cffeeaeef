// Character-level cleaning: percent-encoded runs decoded (outside URLs), then control, zero-width,
// bidirectional-override, Unicode tag and invalid characters removed. Runs before NFKC so that
// words split by invisible characters join up again before any pattern is matched.
import type { Report } from './report.ts';
import { Editor, isSpace } from './scan.ts';
import type { RemovalKind } from './types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** Decode runs of `%XX` that form valid UTF-8, except inside URL-looking tokens (kept verbatim). */
export function decodePercent(text: string, report: Report): string {
  if (text.indexOf('%') === -1) return text;
  const ed = new Editor(text);
  let decoded = 0;
  // Visit only the whitespace-delimited tokens that contain a '%', each once.
  let done = 0;
  for (let pct = text.indexOf('%'); pct >= 0; pct = text.indexOf('%', done)) {
    let start = pct;
    while (start > done && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = pct;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    done = end;
    const token = text.slice(start, end);
    if (token.includes('://') || token.toLowerCase().startsWith('www.')) continue;
    for (let j = token.indexOf('%'); j >= 0;) {
      const bytes: number[] = [];
      let k = j;
      while (token.charCodeAt(k) === 0x25) {
        const hi = hexValue(token.charCodeAt(k + 1));
        const lo = hexValue(token.charCodeAt(k + 2));
        if (hi < 0 || lo < 0) break;
        bytes.push(hi * 16 + lo);
        k += 3;
      }
      if (bytes.length > 0) {
        try {
          ed.cut(start + j, start + k, utf8.decode(new Uint8Array(bytes)));
          decoded += bytes.length;
        } catch {
          // Not valid UTF-8: left as written (nothing downstream decodes it either).
        }
      }
      j = token.indexOf('%', Math.max(k, j + 1));
    }
  }
  if (decoded > 0) report.tally('encoded', 'percent-encoded bytes decoded', decoded);
  return ed.done();
}

/** Which removal kind a code point belongs to, or undefined to keep it. */
export function charKind(cp: number): RemovalKind | undefined {
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a ? undefined : 'control-char';
  if (cp < 0x7f) return undefined;
  if (cp <= 0x9f) return 'control-char';
  if (cp === 0x200e || cp === 0x200f || cp === 0x061c) return 'bidi';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x206f)) return 'bidi';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag-char';
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffd) return 'invalid-char';
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return 'invalid-char';
  if (
    (cp >= 0x200b && cp <= 0x200d) ||
    (cp >= 0x2060 && cp <= 0x2065) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x180e ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x3164 ||
    cp === 0xffa0
  ) {
    return 'zero-width';
  }
  // Any other format character (Arabic number signs, Egyptian and shorthand format controls…).
  if (cp > 0xff && FORMAT.test(String.fromCodePoint(cp))) return 'zero-width';
  return undefined;
}

// Safe: one character class, anchored, no quantifier; tested against a single code point.
const FORMAT = /^\p{Cf}$/u;
// Safe: one character class, anchored, no quantifier; tested against a single code point.
const MARK = /^\p{M}$/u;

/**
 * Combining marks kept on one character: the bound of Unicode's Stream-Safe Text Format (UAX #15).
 * NFKC reorders a run of marks by sorting it, which costs the square of the run's length, so an
 * unbounded run (`a` and 100,000 alternating accents) would make normalizing quadratic.
 */
export const MAX_MARKS = 30;

/** Per BMP code unit: 0 not known yet, 1 a combining mark, 2 not one. */
const MARK_CLASS = new Uint8Array(0x10000);

function isMark(cp: number): boolean {
  if (cp > 0xffff) return MARK.test(String.fromCodePoint(cp));
  let k = MARK_CLASS[cp] ?? 0;
  if (k === 0) MARK_CLASS[cp] = k = MARK.test(String.fromCharCode(cp)) ? 1 : 2;
  return k === 1;
}

/**
 * Remove control, zero-width, bidi, tag and invalid characters (lone surrogates, U+FFFD,
 * noncharacters) and combining marks beyond MAX_MARKS in a row; CR and CRLF become LF, U+2028/U+2029
 * become LF. A run of tag characters is reported with the ASCII it spells, since that is how hidden
 * instructions are smuggled.
 */
export function removeInvisible(text: string, report: Report): string {
  const ed = new Editor(text);
  const counts = new Map<number, number>();
  let tagText = '';
  let tagStart = -1;
  const flushTags = (): void => {
    if (tagStart >= 0) report.add('tag-char', `hidden tag text: ${tagText}`);
    tagStart = -1;
    tagText = '';
  };
  // Marks in the current run; removed characters do not end it (they are gone before NFKC).
  let marks = 0;
  let extraMarks = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      if (tagStart >= 0) flushTags();
      marks = 0;
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
    if (c === 0x0d) {
      ed.cut(i, i + 1, text.charCodeAt(i + 1) === 0x0a ? '' : '\n');
      marks = 0;
    } else if (c === 0x2028 || c === 0x2029) {
      ed.cut(i, i + 1, '\n');
      marks = 0;
    } else {
      const kind = charKind(cp);
      if (kind === 'tag-char') {
        if (tagStart < 0) tagStart = i;
        const ascii = cp - 0xe0000;
        if (ascii >= 0x20 && ascii < 0x7f && tagText.length < 100)
          tagText += String.fromCharCode(ascii);
        ed.cut(i, i + width);
        i += width;
        continue;
      }
      if (kind) {
        ed.cut(i, i + width);
        counts.set(cp, (counts.get(cp) ?? 0) + 1);
      } else if (cp < 0x300 || !isMark(cp)) {
        marks = 0;
      } else if (++marks > MAX_MARKS) {
        ed.cut(i, i + width);
        extraMarks++;
      }
    }
    flushTags();
    i += width;
  }
  flushTags();
  if (extraMarks > 0) {
    report.tally(
      'combining-mark',
      `combining marks beyond ${MAX_MARKS} on one character`,
      extraMarks,
    );
  }
  for (const [cp, n] of counts) {
    const kind = charKind(cp) ?? 'control-char';
    report.tally(kind, `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, n);
  }
  return ed.done();
}
