// Whitespace left tidy after removals, and the final cut to length. Both are idempotent on their
// own output: tidy removes trailing spaces, extra blank lines and outer whitespace; the cut ends at
// a word boundary with a marker that no stage rewrites.
import { isSpace } from './scan.ts';

/** Appended to text cut to fit; stable under every stage (no markup, no ellipsis for NFKC). */
export const TRUNCATION_MARKER = ' [truncated]';

/** Trim line ends, keep at most one blank line in a row, and trim the whole text. */
export function tidy(text: string): string {
  if (isTidy(text)) return text;
  const out: string[] = [];
  let blank = 0;
  for (const raw of text.split('\n')) {
    let e = raw.length;
    while (e > 0 && (raw.charCodeAt(e - 1) === 0x20 || raw.charCodeAt(e - 1) === 0x09)) e--;
    const line = raw.slice(0, e);
    blank = line === '' ? blank + 1 : 0;
    if (blank <= 1) out.push(line);
  }
  const joined = out.join('\n');
  let s = 0;
  let e = joined.length;
  while (s < e && isSpace(joined.charCodeAt(s))) s++;
  while (e > s && isSpace(joined.charCodeAt(e - 1))) e--;
  return joined.slice(s, e);
}

/** True when tidy would change nothing: no trailing blanks, no 3 newlines in a row, trimmed. */
function isTidy(text: string): boolean {
  if (text === '') return true;
  if (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1))) return false;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    const before = text.charCodeAt(nl - 1);
    if (before === 0x20 || before === 0x09 || before === 0x0d) return false;
    if (text.charCodeAt(nl + 1) === 0x0a && text.charCodeAt(nl + 2) === 0x0a) return false;
  }
  return true;
}

function codePointCut(text: string, at: number): number {
  const c = text.charCodeAt(at - 1);
  return c >= 0xd800 && c <= 0xdbff ? at - 1 : at;
}

/**
 * Cut `text` (longer than `max`) to at most `max` code units: at the last word boundary that keeps
 * at least half the room (else mid-word, never mid-surrogate-pair), plus the marker when it fits.
 */
export function truncate(text: string, max: number): string {
  if (max <= TRUNCATION_MARKER.length) return text.slice(0, codePointCut(text, max));
  const room = max - TRUNCATION_MARKER.length;
  let cut = room;
  if (!isSpace(text.charCodeAt(room))) {
    let p = room;
    while (p > 0 && !isSpace(text.charCodeAt(p - 1))) p--;
    cut = p > room / 2 ? p : codePointCut(text, room);
  }
  let e = cut;
  while (e > 0 && isSpace(text.charCodeAt(e - 1))) e--;
  return text.slice(0, e) + TRUNCATION_MARKER;
}
