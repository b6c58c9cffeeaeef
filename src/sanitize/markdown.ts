// Markdown reduced to its text, line by line: code fences, rules, table separators and setext
// underlines go; heading and quote prefixes go; bullets become "- "; table rows become cells
// joined by " | "; links and images become text per level; emphasis, strikethrough and code-span
// markers go. Brackets are matched with a stack and delimiters with per-character stacks: linear.
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

/** A line that is only a rule, a setext underline or a table separator. */
function isRuleLine(line: string): boolean {
  let marks = 0;
  for (let k = 0; k < line.length; k++) {
    const ch = line.charAt(k);
    if ('-*_='.includes(ch)) marks++;
    else if (!' \t|:'.includes(ch)) return false;
  }
  return marks >= 2;
}

/** Strip one heading or block-quote prefix; returns the line unchanged when there is none. */
function stripPrefix(line: string): string {
  const n = leadingSpaces(line);
  if (n > 3) return line;
  if (line.charCodeAt(n) === 0x3e)
    return line.slice(line.charCodeAt(n + 1) === 0x20 ? n + 2 : n + 1);
  let h = n;
  while (line.charCodeAt(h) === 0x23 && h - n < 7) h++;
  const hashes = h - n;
  if (hashes < 1 || hashes > 6 || (h < line.length && !isSpace(line.charCodeAt(h)))) return line;
  let body = line.slice(h).trim();
  // A closing sequence of #s preceded by a space is part of the heading syntax, not its text.
  let e = body.length;
  while (e > 0 && body.charCodeAt(e - 1) === 0x23) e--;
  if (e < body.length && (e === 0 || body.charCodeAt(e - 1) === 0x20))
    body = body.slice(0, e).trim();
  return body;
}

function tableRow(line: string): string | undefined {
  const t = line.trim();
  if (!t.startsWith('|')) return undefined;
  const cells: string[] = [];
  let cell = '';
  for (let k = 1; k < t.length; k++) {
    const ch = t.charAt(k);
    if (ch === '\\' && t.charAt(k + 1) === '|') {
      cell += '|';
      k++;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells.filter((c) => c !== '').join(' | ');
}

/** Reduce markdown in `text` to plain text for `level`, recording what went into `report`. */
export function stripMarkdown(text: string, level: Level, report: Report): string {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    if (isFence(raw)) {
      report.tally('markdown', 'code fence lines');
      continue;
    }
    if (raw.trim() !== '' && isRuleLine(raw)) {
      report.tally('markdown', 'rule or table separator lines');
      continue;
    }
    let line = raw;
    for (let prev = ''; prev !== line;) {
      prev = line;
      line = stripPrefix(line);
    }
    if (line !== raw) report.tally('markdown', 'heading or quote markers');
    const n = leadingSpaces(line);
    const b = line.charCodeAt(n);
    if ((b === 0x2a || b === 0x2b) && line.charCodeAt(n + 1) === 0x20) {
      line = `${line.slice(0, n)}-${line.slice(n + 1)}`;
      report.tally('markdown', 'list markers');
    }
    const row = tableRow(line);
    if (row !== undefined) {
      line = row;
      report.tally('markdown', 'table rows');
    }
    out.push(inline(line, level, report));
  }
  return out.join('\n');
}

function inline(line: string, level: Level, report: Report): string {
  return stripDelimiters(renderLinks(line, level, report), report);
}

/** Markdown links and images on one line, plus bare URLs between them. */
function renderLinks(line: string, level: Level, report: Report): string {
  if (!line.includes('](')) return renderBareUrls(line, level, report);
  const close = new Map<number, number>();
  const stack: number[] = [];
  for (let k = 0; k < line.length; k++) {
    const ch = line.charCodeAt(k);
    if (ch === 0x5c) k++;
    else if (ch === 0x5b) stack.push(k);
    else if (ch === 0x5d && stack.length > 0) close.set(stack.pop() ?? 0, k);
  }
  let out = '';
  let last = 0;
  let quoteFrom = 0;
  for (let k = 0; k < line.length; k++) {
    const j = close.get(k);
    if (j === undefined || line.charCodeAt(j + 1) !== 0x28) continue;
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
  const drop = new Uint8Array(line.length);
  const stacks: Record<string, { start: number; len: number }[]> = { '*': [], _: [], '~': [] };
  let u = 0;
  let removed = 0;
  for (let k = 0; k < line.length;) {
    const span = urls[u];
    if (span && k >= span.start) {
      k = span.end;
      u++;
      continue;
    }
    const ch = line.charAt(k);
    if (ch === '\\') {
      k += 2;
      continue;
    }
    if (ch === '`') {
      drop[k] = 1;
      removed++;
      k++;
      continue;
    }
    const stack = stacks[ch];
    if (!stack) {
      k++;
      continue;
    }
    let e = k;
    while (line.charAt(e) === ch) e++;
    const len = e - k;
    const before = k > 0 ? line.charCodeAt(k - 1) : 0x20;
    const after = e < line.length ? line.charCodeAt(e) : 0x20;
    const ws = (c: number): boolean => isSpace(c);
    const left = !ws(after) && (!isPunct(after) || ws(before) || isPunct(before));
    const right = !ws(before) && (!isPunct(before) || ws(after) || isPunct(after));
    const inWord = isAlnum(before) && isAlnum(after);
    if (!inWord && (ch !== '~' || len === 2)) {
      const opener = right ? stack.pop() : undefined;
      if (opener) {
        drop.fill(1, opener.start, opener.start + opener.len);
        drop.fill(1, k, e);
        removed += 2;
      } else if (left) stack.push({ start: k, len });
    }
    k = e;
  }
  if (removed === 0) return line;
  report.tally('markdown', 'emphasis or code markers', removed);
  let out = '';
  for (let k = 0; k < line.length; k++) if (drop[k] === 0) out += line.charAt(k);
  return out;
}
