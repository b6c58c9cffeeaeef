// Finding URLs in plain text and reducing links per level: lenient keeps `text (url)`, standard
// keeps the whole URL defanged (`text (hxxps://example[.]com/reset?t=1)`: readable and copyable,
// never clickable; a task that needs the link still has it), strict keeps no URL at all. Scripting
// and data URLs are dropped at every level. Hand-written scanners only: every character is visited
// a bounded number of times.
import type { Report } from './report.ts';
import type { Level } from './types.ts';

/** A URL found in text: [start, end) and the URL itself. */
export interface UrlSpan {
  start: number;
  end: number;
  url: string;
}

const DANGEROUS = new Set(['javascript', 'vbscript', 'data', 'file']);
const NO_SLASH_SCHEMES = new Set(['mailto', 'javascript', 'vbscript', 'data', 'file', 'tel']);
/** Schemes as `defang` writes them: a URL with one is already plain text and is left alone. */
const DEFANGED = new Set(['hxxp', 'hxxps', 'fxp']);
const DEFANG_SCHEME: Record<string, string> = { http: 'hxxp', https: 'hxxps', ftp: 'fxp' };
/** The dot as `defang` writes it inside a host. */
export const DEFANGED_DOT = '[.]';

function isSchemeCode(c: number): boolean {
  const l = c | 0x20;
  return (
    (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d
  );
}

// Printable ASCII that ends a URL in running text: " ' ( ) < > [ \ ] ^ ` { | }
const URL_STOP = new Uint8Array(128);
for (const ch of '"\'()<>[\\]^`{|}') URL_STOP[ch.charCodeAt(0)] = 1;

/** True for a character that may appear inside a URL in running text. */
export function isUrlCode(c: number): boolean {
  return c > 0x20 && c !== 0x7f && (c >= 0x80 || URL_STOP[c] === 0);
}

function isTrailingPunct(c: number): boolean {
  return (
    c === 0x2e ||
    c === 0x2c ||
    c === 0x3b ||
    c === 0x3a ||
    c === 0x21 ||
    c === 0x3f ||
    c === 0x2a ||
    c === 0x5f ||
    c === 0x7e
  );
}

/** The URL body's end from `bodyStart`, trailing punctuation excluded; `[.]` is part of a body. */
function bodyEnd(text: string, bodyStart: number): number {
  let end = bodyStart;
  for (;;) {
    while (end < text.length && isUrlCode(text.charCodeAt(end))) end++;
    if (!text.startsWith(DEFANGED_DOT, end) || end === bodyStart) break;
    end += DEFANGED_DOT.length;
  }
  while (end > bodyStart && isTrailingPunct(text.charCodeAt(end - 1))) end--;
  return end;
}

/** A URL whose scheme ends at the ':' at `colon` and starts at or after `floor`. */
function schemeUrlAt(text: string, colon: number, floor: number): UrlSpan | undefined {
  let i = colon;
  while (i > floor && colon - i < 32 && isSchemeCode(text.charCodeAt(i - 1))) i--;
  if (i === colon || (i > 0 && isSchemeCode(text.charCodeAt(i - 1)))) return undefined;
  if ((text.charCodeAt(i) | 0x20) < 0x61 || (text.charCodeAt(i) | 0x20) > 0x7a) return undefined;
  const scheme = text.slice(i, colon).toLowerCase();
  let bodyStart: number;
  if (text.startsWith('//', colon + 1)) bodyStart = colon + 3;
  else if (NO_SLASH_SCHEMES.has(scheme)) bodyStart = colon + 1;
  else return undefined;
  const end = bodyEnd(text, bodyStart);
  return end > bodyStart ? { start: i, end, url: text.slice(i, end) } : undefined;
}

/** A www. URL whose first dot is at `dot`, starting at or after `floor`. */
function wwwUrlAt(text: string, dot: number, floor: number): UrlSpan | undefined {
  const i = dot - 3;
  if (i < floor || (i > 0 && isSchemeCode(text.charCodeAt(i - 1)))) return undefined;
  for (let k = i; k < dot; k++) if ((text.charCodeAt(k) | 0x20) !== 0x77) return undefined;
  if (!isSchemeCode(text.charCodeAt(dot + 1))) return undefined;
  const end = bodyEnd(text, dot + 1);
  return { start: i, end, url: text.slice(i, end) };
}

/**
 * Every URL in `text` (scheme://…, www.…, mailto:/data:/javascript:…), left to right. Only ':'
 * and '.' can anchor a URL, so the scan jumps between them with indexOf; each back-scan stops at
 * the previous anchor or URL, so every character is looked at a bounded number of times.
 */
export function findUrls(text: string): UrlSpan[] {
  const spans: UrlSpan[] = [];
  let done = 0;
  let colon = text.indexOf(':');
  let dot = text.indexOf('.');
  while (colon >= 0 || dot >= 0) {
    const useColon = colon >= 0 && (dot < 0 || colon < dot);
    const at = useColon ? colon : dot;
    const span = useColon ? schemeUrlAt(text, at, done) : wwwUrlAt(text, at, done);
    if (span) {
      spans.push(span);
      done = span.end;
    }
    const from = Math.max(at + 1, done);
    if (colon >= 0 && colon < from) colon = text.indexOf(':', from);
    if (dot >= 0 && dot < from) dot = text.indexOf('.', from);
  }
  return spans;
}

function schemeOf(url: string): string {
  const colon = url.indexOf(':');
  return colon > 0 ? url.slice(0, colon).toLowerCase() : '';
}

/**
 * `url` as plain text that no chat client links: the scheme's `t`s become `x` (`hxxps://`), and
 * every dot of the host becomes `[.]`; path, query and user info stay, so the address can still be
 * read, compared and copied (undo: `hxxp` → `http`, `[.]` → `.`). `mailto:` and `tel:` give the
 * address alone, its host defanged. Idempotent: a defanged URL comes back unchanged.
 */
export function defang(url: string): string {
  const scheme = url.slice(0, 4).toLowerCase() === 'www.' ? '' : schemeOf(url);
  if (DEFANGED.has(scheme)) return url;
  let rest = url;
  let head = '';
  if (scheme === 'mailto' || scheme === 'tel') {
    rest = url.slice(scheme.length + 1);
    // An address's host is after its @: the local part (`emma.johnson`) stays as written.
    const at = rest.lastIndexOf('@');
    head = rest.slice(0, at + 1);
    rest = rest.slice(at + 1);
  } else if (scheme && url.startsWith('://', scheme.length)) {
    head = `${DEFANG_SCHEME[scheme] ?? url.slice(0, scheme.length)}://`;
    rest = url.slice(scheme.length + 3);
  } else if (scheme) return url;
  // The host ends at the first of / ? # (user info before an @ is defanged too: it may pose as a host).
  let end = 0;
  while (end < rest.length && !'/?#'.includes(rest.charAt(end))) end++;
  return head + defangDots(rest.slice(0, end)) + rest.slice(end);
}

/** `text` with defanged URLs made whole again (`hxxps://a[.]b` → `https://a.b`), to compare facts. */
export function refang(text: string): string {
  return text
    .replaceAll(DEFANGED_DOT, '.')
    .replaceAll('hxxp://', 'http://')
    .replaceAll('hxxps://', 'https://')
    .replaceAll('fxp://', 'ftp://');
}

/** Every `.` of `host` as `[.]`, except those already written so. */
function defangDots(host: string): string {
  let out = '';
  for (let k = 0; k < host.length; k++) {
    const ch = host.charAt(k);
    const done = host.charAt(k - 1) === '[' && host.charAt(k + 1) === ']';
    out += ch === '.' && !done ? DEFANGED_DOT : ch;
  }
  return out;
}

/**
 * What follows a link's (already rendered) label for `level`: '' or " (url)" / " (defanged url)".
 * Scripting and data URLs never survive; a URL that is cut is reported, one defanged is tallied.
 */
export function linkSuffix(label: string, url: string, level: Level, report: Report): string {
  let shown = '';
  if (!DANGEROUS.has(schemeOf(url)) && level !== 'strict') {
    shown = level === 'lenient' ? url : defang(url);
  }
  if (!shown) report.add('link', url);
  else if (shown !== url) report.tally('link', 'links defanged (kept as text)');
  return shown && label !== shown && label !== url ? (label ? ` (${shown})` : shown) : '';
}

/** Render a link (label may be '') as plain text for `level`. */
export function renderLink(label: string, url: string, level: Level, report: Report): string {
  const l = label ? renderBareUrls(label, level, report) : '';
  return l + linkSuffix(l, url, level, report);
}

/** Replace every bare URL in `text` by its rendering for `level` (strict: removed). */
export function renderBareUrls(text: string, level: Level, report: Report): string {
  const spans = findUrls(text);
  if (spans.length === 0) return text;
  let out = '';
  let last = 0;
  for (const s of spans) {
    const by = renderLink('', s.url, level, report);
    let start = s.start;
    let end = s.end;
    // An autolink <https://…> loses its angle brackets along with the URL.
    if (text.charCodeAt(start - 1) === 0x3c && text.charCodeAt(end) === 0x3e) {
      start--;
      end++;
    }
    // Removing a URL between two spaces leaves one space, not two.
    if (by === '' && text.charCodeAt(start - 1) === 0x20 && text.charCodeAt(end) === 0x20) end++;
    out += text.slice(last, start) + by;
    last = end;
  }
  return out + text.slice(last);
}
