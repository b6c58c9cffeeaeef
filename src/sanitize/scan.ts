// Small scanning helpers shared by the stages: a cached forward search that keeps repeated
// look-ups linear, character tests, the Editor that cuts spans out of a text, and the boundary a
// removed marker leaves for the rest of the pass. The matching view (fold, skeleton) is skeleton.ts.

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
