// HTML reduced to its text: tags stripped (block tags become line breaks), comments dropped,
// script/style (and tool-call) blocks dropped with their contents, images become their alt text,
// anchors become "text (url)" per level, character references decoded. One left-to-right scan;
// every search for a closer goes through a cached finder, so unclosed openers stay linear.
import { decodeEntityAt } from './entities.ts';
import { linkSuffix } from './links.ts';
import { ROLE_TAGS, TOOL_TAGS } from './names.ts';
import type { Report } from './report.ts';
import { Editor, finder, isAsciiLetter, isSpace } from './scan.ts';
import { fold } from './skeleton.ts';
import type { Level } from './types.ts';

const DROP_CONTENT = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'iframe',
  'object',
  'svg',
]);
const BLOCK = new Set(
  (
    'address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure ' +
    'footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead ' +
    'tfoot tr ul summary caption title'
  ).split(' '),
);

/** What a stripped tag leaves: a line break for block tags, a space between cells. */
function blockBreak(name: string): string {
  return BLOCK.has(name) ? '\n' : name === 'td' || name === 'th' ? ' ' : '';
}

function isNameCode(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x3a;
}

/** The value of attribute `name` in a tag's source text, or '' when absent. */
function attr(tag: string, name: string): string {
  const lower = tag.toLowerCase();
  for (let at = lower.indexOf(name); at >= 0; at = lower.indexOf(name, at + 1)) {
    if (!isSpace(lower.charCodeAt(at - 1))) continue;
    let j = at + name.length;
    while (isSpace(lower.charCodeAt(j))) j++;
    if (lower.charCodeAt(j) !== 0x3d) continue;
    j++;
    while (isSpace(lower.charCodeAt(j))) j++;
    const q = tag.charAt(j);
    let value: string;
    if (q === '"' || q === "'") {
      const close = tag.indexOf(q, j + 1);
      value = tag.slice(j + 1, close < 0 ? tag.length - 1 : close);
    } else {
      let k = j;
      while (k < tag.length && !isSpace(tag.charCodeAt(k)) && tag.charCodeAt(k) !== 0x3e) k++;
      value = tag.slice(j, k);
    }
    return decodeEntitiesOnce(value).trim();
  }
  return '';
}

function decodeEntitiesOnce(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const e = s.charCodeAt(i) === 0x26 ? decodeEntityAt(s, i) : undefined;
    if (e) {
      out += e.value;
      i += e.length - 1;
    } else out += s.charAt(i);
  }
  return out;
}

/** The tag that starts at text[i] (a `<`): its lower-case name and where the name ends, if any. */
function tagAt(
  text: string,
  i: number,
): { name: string; j: number; closing: boolean; decl: boolean } | undefined {
  const closing = text.charCodeAt(i + 1) === 0x2f;
  let j = i + (closing ? 2 : 1);
  const first = text.charCodeAt(j);
  const decl = !closing && (first === 0x21 || first === 0x3f);
  if (!isAsciiLetter(first) && !decl) return undefined;
  j++;
  while (j - i < 64 && isNameCode(text.charCodeAt(j))) j++;
  const name = text.slice(i + (closing ? 2 : 1), j).toLowerCase();
  if (name.includes('://') || name.endsWith(':')) return undefined; // an autolink: markdown's
  const term = text.charCodeAt(j);
  if (!decl && !(isSpace(term) || term === 0x2f || term === 0x3e)) return undefined;
  return { name, j, closing, decl };
}

/**
 * For each plain tag start, the `>` that ends it once the plain tags inside it are gone
 * (`<b <i> >`: the `<b` ends at the second `>`), or -1; found with one stack pass. Any other `<`
 * (a comment, a block, a lone `<`) stays, so no tag before it can reach past it. Without this,
 * each pass would remove only the innermost tag and unblock the next one out.
 */
function nestedEnds(text: string): Int32Array {
  const ends = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let k = text.indexOf('<'); k >= 0 && k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3e) {
      const at = open.pop();
      if (at !== undefined) ends[at] = k;
    } else if (c === 0x3c) {
      const t = text.startsWith('<!--', k) ? undefined : tagAt(text, k);
      const block = t && !t.closing && (DROP_CONTENT.has(t.name) || TOOL_TAGS.has(t.name));
      if (!t || t.decl || block) open.length = 0;
      else open.push(k);
    }
  }
  return ends;
}

/** Reduce HTML in `text` to plain text for `level`, recording what went into `report`. */
export function stripHtml(text: string, level: Level, report: Report): string {
  if (text.indexOf('<') === -1 && text.indexOf('&') === -1) return text;
  let low: string | undefined; // the folded view, made only when a closer must be found
  const ed = new Editor(text);
  const nextGt = finder(text, '>');
  const nextLt = finder(text, '<');
  const commentEnd = finder(text, '-->');
  const closers = new Map<string, (from: number) => number>();
  let anchor: { href: string; labelStart: number } | undefined;
  let entities = 0;
  let ends: Int32Array | undefined; // nestedEnds, made when a tag is first found blocked

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x26) {
      const e = decodeEntityAt(text, i);
      if (e) {
        // `&amp;lt;` is decoded whole here, not one layer per pass: while a reference decodes to
        // `&`, the `&` and the text after it are read again (each step consumes text: linear).
        let { length, value } = e;
        while (value === '&') {
          const next = decodeEntityAt(`&${text.slice(i + length, i + length + 40)}`, 0);
          if (!next) break;
          length += next.length - 1;
          value = next.value;
        }
        ed.cut(i, i + length, value);
        entities++;
        i += length - 1;
      }
      continue;
    }
    if (c !== 0x3c) continue;
    const n1 = text.charCodeAt(i + 1);
    if (n1 === 0x21 && text.startsWith('<!--', i)) {
      const close = commentEnd(i + 4);
      const end = close < 0 ? i + 4 : close + 3;
      report.add('html', `comment: ${text.slice(i + 4, Math.min(end, i + 84))}`);
      ed.cut(i, end);
      i = end - 1;
      continue;
    }
    const at = tagAt(text, i);
    if (!at) continue;
    const { name, j, closing } = at;
    let gt = nextGt(j);
    const lt = nextLt(i + 1);
    if (gt < 0) continue;
    // Another `<` first: this tag ends past the plain tags inside it, or is no tag at all.
    const nested = lt >= 0 && lt < gt;
    if (nested) {
      ends ??= nestedEnds(text);
      gt = ends[i] ?? -1;
      if (gt < 0) continue;
    }
    let end = gt + 1;
    const tag = text.slice(i, end);
    let by = '';
    if (ROLE_TAGS.has(name)) {
      report.add('role-marker', tag);
    } else if (nested) {
      by = blockBreak(name);
      report.tally('html', 'HTML tags');
    } else if (!closing && (DROP_CONTENT.has(name) || TOOL_TAGS.has(name))) {
      let find = closers.get(name);
      low ??= fold(text);
      if (!find) closers.set(name, (find = finder(low, `</${name}`)));
      const close = find(end);
      const closeEnd = close < 0 ? -1 : nextGt(close);
      if (closeEnd >= 0) end = closeEnd + 1;
      const kind = TOOL_TAGS.has(name) ? 'tool-call' : 'html';
      report.add(kind, `<${name}> block: ${text.slice(gt + 1, Math.min(end, gt + 81))}`);
    } else if (TOOL_TAGS.has(name)) {
      report.add('tool-call', tag);
    } else if (name === 'a' && !closing) {
      const href = attr(tag, 'href');
      anchor = href ? { href, labelStart: end } : undefined;
      report.tally('html', 'HTML tags');
    } else if (name === 'a' && anchor) {
      const label = text.slice(anchor.labelStart, i).trim();
      by = linkSuffix(label, anchor.href, level, report);
      anchor = undefined;
      report.tally('html', 'HTML tags');
    } else if (name === 'img' && !closing) {
      by = attr(tag, 'alt');
      report.tally('html', 'images (kept alt text)');
    } else {
      by = blockBreak(name);
      report.tally('html', 'HTML tags');
    }
    ed.cut(i, end, by);
    i = end - 1;
  }
  if (entities > 0) report.tally('encoded', 'HTML entities decoded', entities);
  return ed.done();
}
