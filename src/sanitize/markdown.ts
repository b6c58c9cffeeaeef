// Markdown reduced to its text, line by line: code fences go; heading and quote prefixes go;
// bullets become "- "; rule lines, setext underlines and tables stay as written (they are text a
// task may need: a bill's rules, a table's rows); links and images become text per level; emphasis,
// strikethrough and code-span markers go. Brackets are matched with a stack and delimiters with
// per-character stacks: linear.
import { findUrls, renderBareUrls, renderLink } from './links.ts';
import type { Report } from './report.ts';
import { isSpace } from './scan.ts';
import type { Level } from './types.ts';

function leadingSpaces(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 0x20) n++;
  return n;
}

function isFence(line: string): boolean {
  const n = leadingSpaces(line);
  return n <= 3 && (line.startsWith('```', n) || line.startsWith('~~~', n));
}

/** A line that is only a rule, a setext underline or a table separator: kept as written. */
function isRuleLine(line: string): boolean {
  let marks = 0;
  for (let k = 0; k < line.length; k++) {
    const ch = line.charAt(k);
    if ('-*_='.includes(ch)) marks++;
    else if (!' \t|:'.includes(ch)) return false;
  }
  return marks >= 2;
}

/** The characters String.prototype.trim removes (WhiteSpace and LineTerminator). */
function isTrimmed(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Strip heading and block-quote prefixes until none is left (`> ## # x ##` → `x`). The line is
 * worked on as a window [s, e) and sliced once; the closing `#` run at the end is measured again
 * only when the end moved, so `# # # … x###…` is linear, not one rescan of the run per prefix.
 */
function stripPrefixes(line: string): string {
  let s = 0;
  let e = line.length;
  let runFor = -1; // the end the closing run below was measured for
  let run = 0; // where the run of '#' that ends at runFor starts
  for (;;) {
    let n = s;
    while (n < e && line.charCodeAt(n) === 0x20) n++;
    if (n - s > 3) break;
    if (n < e && line.charCodeAt(n) === 0x3e) {
      // One space or tab after the `>` goes with it (`>\t>\t…` is one line of quote markers).
      const after = line.charCodeAt(n + 1);
      s = n + 1 < e && (after === 0x20 || after === 0x09) ? n + 2 : n + 1;
      continue;
    }
    let h = n;
    while (h < e && line.charCodeAt(h) === 0x23 && h - n < 7) h++;
    const hashes = h - n;
    if (hashes < 1 || hashes > 6 || (h < e && !isSpace(line.charCodeAt(h)))) break;
    s = h;
    while (s < e && isTrimmed(line.charCodeAt(s))) s++;
    while (e > s && isTrimmed(line.charCodeAt(e - 1))) e--;
    // A closing sequence of #s preceded by a space is part of the heading syntax, not its text.
    if (runFor !== e) {
      runFor = e;
      for (run = e; run > s && line.charCodeAt(run - 1) === 0x23; run--);
    }
    const r = Math.max(run, s);
    if (r < e && (r === s || line.charCodeAt(r - 1) === 0x20)) {
      e = r;
      while (e > s && isTrimmed(line.charCodeAt(e - 1))) e--;
    }
  }
  return s === 0 && e === line.length ? line : line.slice(s, e);
}

/** Reduce markdown in `text` to plain text for `level`, recording what went into `report`. */
export function stripMarkdown(text: string, level: Level, report: Report): string {
  const out: string[] = [];
  const n = { fences: 0, prefixes: 0, bullets: 0 };
  for (const raw of text.split('\n')) {
    if (isFence(raw)) {
      n.fences++;
      continue;
    }
    if (isRuleLine(raw) && raw.trim() !== '') {
      out.push(raw);
      continue;
    }
    let line = stripPrefixes(raw);
    if (line !== raw) n.prefixes++;
    const lead = leadingSpaces(line);
    const b = line.charCodeAt(lead);
    if ((b === 0x2a || b === 0x2b) && line.charCodeAt(lead + 1) === 0x20) {
      line = `${line.slice(0, lead)}-${line.slice(lead + 1)}`;
      n.bullets++;
    }
    out.push(inline(line, level, report));
  }
  if (n.fences) report.tally('markdown', 'code fence lines', n.fences);
  if (n.prefixes) report.tally('markdown', 'heading or quote markers', n.prefixes);
  if (n.bullets) report.tally('markdown', 'list markers', n.bullets);
  return out.join('\n');
}

function inline(line: string, level: Level, report: Report): string {
  return stripDelimiters(renderLinks(line, level, report), report);
}

/** Markdown links and images on one line, plus bare URLs between them. */
function renderLinks(line: string, level: Level, report: Report): string {
  if (!line.includes('](')) return renderBareUrls(line, level, report);
  // close[k] is 1 + the index of the ']' matching a '[' at k (0: none), from one stack pass.
  const close = new Int32Array(line.length);
  const stack: number[] = [];
  for (let k = 0; k < line.length; k++) {
    const ch = line.charCodeAt(k);
    if (ch === 0x5c) k++;
    else if (ch === 0x5b) stack.push(k);
    else if (ch === 0x5d && stack.length > 0) close[stack.pop() ?? 0] = k + 1;
  }
  let out = '';
  let last = 0;
  let quoteFrom = 0;
  for (let k = 0; k < line.length; k++) {
    const j = (close[k] ?? 0) - 1;
    if (j < 0 || line.charCodeAt(j + 1) !== 0x28) continue;
    let p = j + 2;
    while (line.charCodeAt(p) === 0x20) p++;
    const urlStart = p;
    // Balanced parentheses may appear in a destination; brackets and spaces end it, so the
    // destinations of different candidates never overlap.
    for (let depth = 0; p < line.length; p++) {
      const ch = line.charAt(p);
      if (ch === '(') depth++;
      else if (ch === ')' && depth-- === 0) break;
      else if (isSpace(line.charCodeAt(p)) || '[]<>'.includes(ch)) break;
    }
    const url = line.slice(urlStart, p);
    while (line.charCodeAt(p) === 0x20) p++;
    const q = line.charAt(p);
    if (q === '"' || q === "'") {
      // Titles end at the next matching quote; quoteFrom only moves forward, so this is linear.
      const end = line.indexOf(q, Math.max(p + 1, quoteFrom));
      if (end < 0) continue;
      quoteFrom = end + 1;
      p = end + 1;
      while (line.charCodeAt(p) === 0x20) p++;
    }
    if (line.charCodeAt(p) !== 0x29) continue;
    const image = k > 0 && line.charCodeAt(k - 1) === 0x21;
    const start = image ? k - 1 : k;
    const label = line.slice(k + 1, j);
    let by: string;
    if (image) {
      by = label;
      report.tally('markdown', 'images (kept alt text)');
    } else {
      by = renderLink(label, url, level, report);
      report.tally('markdown', 'links');
    }
    out += renderBareUrls(line.slice(last, start), level, report) + by;
    last = p + 1;
    k = p;
  }
  return out + renderBareUrls(line.slice(last), level, report);
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c > 0x7f;
}

function isPunct(c: number): boolean {
  return c > 0x20 && c < 0x7f && !isAlnum(c);
}

/**
 * Remove matched emphasis (`*`, `_`), strikethrough (`~~`) delimiter runs and every backtick,
 * outside URLs. Flanking follows CommonMark, except that a run between two letters or digits is
 * never a delimiter, so `2*3*4` and snake_case survive.
 */
function stripDelimiters(line: string, report: Report): string {
  if (!/[*_~`]/.test(line)) return line; // Safe: a single character class, no quantifier.
  const urls = findUrls(line);
  let drop: Uint8Array | undefined; // made on the first removal only
  // One stack of open runs per delimiter (*, _, ~), as [start, length] pairs.
  const stacks: number[][] = [[], [], []];
  let u = 0;
  let removed = 0;
  for (let k = 0; k < line.length;) {
    const span = urls[u];
    if (span && k >= span.start) {
      k = span.end;
      u++;
      continue;
    }
    const c = line.charCodeAt(k);
    if (c === 0x5c) {
      k += 2;
      continue;
    }
    if (c === 0x60) {
      (drop ??= new Uint8Array(line.length))[k] = 1;
      k++;
      removed++;
      continue;
    }
    const which = c === 0x2a ? 0 : c === 0x5f ? 1 : c === 0x7e ? 2 : -1;
    if (which < 0) {
      k++;
      continue;
    }
    const stack = stacks[which] ?? [];
    let e = k;
    while (line.charCodeAt(e) === c) e++;
    const len = e - k;
    const before = k > 0 ? line.charCodeAt(k - 1) : 0x20;
    const after = e < line.length ? line.charCodeAt(e) : 0x20;
    const left = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
    const right = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
    const inWord = isAlnum(before) && isAlnum(after);
    if (!inWord && (which !== 2 || len === 2)) {
      if (right && stack.length > 0) {
        const openLen = stack.pop() ?? 0;
        const openStart = stack.pop() ?? 0;
        drop ??= new Uint8Array(line.length);
        drop.fill(1, openStart, openStart + openLen);
        drop.fill(1, k, e);
        removed += 2;
      } else if (left) stack.push(k, len);
    }
    k = e;
  }
  if (!drop) return line;
  report.tally('markdown', 'emphasis or code markers', removed);
  const parts: string[] = [];
  for (let k = 0; k < line.length;) {
    let e = k;
    while (e < line.length && drop[e] === 0) e++;
    if (e > k) parts.push(line.slice(k, e));
    k = e;
    while (k < line.length && drop[k] === 1) k++;
  }
  return parts.join('');
}
