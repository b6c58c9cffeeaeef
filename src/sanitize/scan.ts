// Small scanning helpers shared by the stages: a cached forward search that keeps repeated
// look-ups linear, the "folded" view (lower-case ASCII, Cyrillic/Greek look-alikes and common
// digit/symbol swaps mapped to Latin letters; one code unit to one, so an index in the folded view
// is the same index in the text; skeleton.ts builds on it), and the removed-marker boundary.

/**
 * A forward `indexOf` for one needle whose answers are reused while callers move left to right,
 * so scanning for the closer of many unclosed openers costs one pass, not one pass per opener.
 */
export function finder(hay: string, needle: string): (from: number) => number {
  let lastFrom = -1;
  let lastAt = -1;
  return (from) => {
    // The first hit at or after lastFrom is lastAt; for any later `from` up to lastAt it is still
    // the first hit, and when there was none it stays none.
    if (lastFrom >= 0 && from >= lastFrom && (lastAt === -1 || lastAt >= from)) return lastAt;
    lastFrom = from;
    lastAt = hay.indexOf(needle, from);
    return lastAt;
  };
}

const LOOKALIKE: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ӏ: 'l',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ɡ: 'g',
  А: 'a',
  В: 'b',
  Е: 'e',
  К: 'k',
  М: 'm',
  Н: 'h',
  О: 'o',
  Р: 'p',
  С: 'c',
  Т: 't',
  У: 'y',
  Х: 'x',
  Ѕ: 's',
  І: 'i',
  Ј: 'j',
  Ү: 'y',
  Ԛ: 'q',
  Ԝ: 'w',
  Һ: 'h',
  Ӏ: 'l',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  Α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'i',
  Κ: 'k',
  Μ: 'm',
  Ν: 'n',
  Ο: 'o',
  Ρ: 'p',
  Τ: 't',
  Υ: 'y',
  Χ: 'x',
  // Latin and Armenian look-alikes that NFKC leaves alone
  ı: 'i',
  ɩ: 'i',
  ɑ: 'a',
  ɒ: 'a',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ʟ: 'l',
  ɴ: 'n',
  ʀ: 'r',
  ʏ: 'y',
  ᴀ: 'a',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ᴊ: 'j',
  ᴋ: 'k',
  ᴍ: 'm',
  ᴏ: 'o',
  ᴘ: 'p',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
  օ: 'o',
  ս: 'u',
  ց: 'g',
  հ: 'h',
  ո: 'n',
  ք: 'p',
  // digit and symbol swaps ("1gn0re", "@ll")
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

const FOLD = new Uint16Array(0x10000);
for (let c = 0; c < 0x10000; c++) FOLD[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
for (const [from, to] of Object.entries(LOOKALIKE)) FOLD[from.charCodeAt(0)] = to.charCodeAt(0);

const utf16 = new TextDecoder('utf-16le');

/** The matching view of `text`: same length, each code unit folded to its Latin look-alike. */
export function fold(text: string): string {
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = FOLD[text.charCodeAt(i)] ?? 0;
  return utf16.decode(out);
}

/** The folded form of one UTF-16 code unit. */
export function foldCode(c: number): number {
  return FOLD[c] ?? c;
}

/**
 * Put where a marker was removed, until the end of the pass: the phrase stage reads it as a
 * sentence end (a sentence never runs on across a removed turn marker) but matches words across
 * it. A noncharacter: removed from the input and never decoded from an entity, so only the marker
 * stage writes it.
 */
export const BOUNDARY = 0xfdd0;
const BOUNDARY_CHAR = String.fromCharCode(BOUNDARY);

/** `text` with every BOUNDARY removed, and with it one of the two spaces that would then meet. */
export function dropBoundaries(text: string): string {
  let at = text.indexOf(BOUNDARY_CHAR);
  if (at < 0) return text;
  const ed = new Editor(text);
  while (at >= 0) {
    let end = at;
    while (text.charCodeAt(end) === BOUNDARY) end++;
    ed.cutSpaced(at, end);
    at = text.indexOf(BOUNDARY_CHAR, end);
  }
  return ed.done();
}

/** True for a folded word character: a-z or 0-9. */
export function isWordCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/** True for ASCII letters in either case. */
export function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** True for space, tab, newline or carriage return. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Builds a string from the text with spans cut out or replaced, in order; `cut` calls must be
 * left to right and not overlap.
 */
export class Editor {
  private readonly text: string;
  private readonly parts: string[] = [];
  private last = 0;
  private edits = 0;

  constructor(text: string) {
    this.text = text;
  }

  /** Replace text[start, end) with `by`. */
  cut(start: number, end: number, by = ''): void {
    if (start > this.last) this.parts.push(this.text.slice(this.last, start));
    if (by) this.parts.push(by);
    this.last = end;
    this.edits++;
  }

  /** Remove text[start, end), and one of the two spaces that would then meet. */
  cutSpaced(start: number, end: number): void {
    const t = this.text;
    const spaceAfter = t.charCodeAt(end) === 0x20 || t.charCodeAt(end) === 0x09;
    this.cut(
      start,
      spaceAfter && (start === 0 || t.charCodeAt(start - 1) === 0x20) ? end + 1 : end,
    );
  }

  /** Where the last cut ended in the text (0 before any). */
  get cutEnd(): number {
    return this.last;
  }

  /** True when any edit was made. */
  get changed(): boolean {
    return this.edits > 0;
  }

  /** The edited text. */
  done(): string {
    if (this.edits === 0) return this.text;
    this.parts.push(this.text.slice(this.last));
    return this.parts.join('');
  }
}
