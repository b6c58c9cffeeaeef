// Finding URLs in plain text and reducing links per level: lenient keeps `text (url)`, standard
// keeps the text and the host only, strict keeps no URL at all. Scripting and data URLs are dropped
// at every level. Hand-written scanners only: every character is visited a bounded number of times.
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

function isSchemeCode(c: number): boolean {
  const l = c | 0x20;
  return (
    (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d
  );
}

/** True for a character that may appear inside a URL in running text. */
export function isUrlCode(c: number): boolean {
  if (c <= 0x20 || c === 0x7f) return false;
  // " ' ( ) < > [ \ ] ^ ` { | }
  return !'"\'()<>[\\]^`{|}'.includes(String.fromCharCode(c));
}

function isTrailingPunct(c: number): boolean {
  return '.,;:!?*_~'.includes(String.fromCharCode(c));
}

/** Every URL in `text` (scheme://…, www.…, mailto:/data:/javascript:…), left to right. */
export function findUrls(text: string): UrlSpan[] {
  const spans: UrlSpan[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!isSchemeCode(c) || (i > 0 && isSchemeCode(text.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    // i starts a maximal run of scheme characters; runs never overlap, so this stays linear.
    let j = i;
    while (j < text.length && isSchemeCode(text.charCodeAt(j))) j++;
    // Only runs followed by ':' or starting with "www." can begin a URL; others cost no slice.
    const colon = text.charCodeAt(j) === 0x3a;
    const www =
      j - i > 5 && text.charCodeAt(i + 3) === 0x2e && (text.charCodeAt(i) | 0x20) === 0x77;
    let bodyStart = -1;
    if (colon || www) {
      const run = text.slice(i, j).toLowerCase();
      if (colon && text.startsWith('//', j + 1) && (run.charCodeAt(0) | 0x20) >= 0x61) {
        bodyStart = j + 3;
      } else if (colon && NO_SLASH_SCHEMES.has(run)) {
        bodyStart = j + 1;
      } else if (run.startsWith('www.')) {
        bodyStart = i + 4;
      }
    }
    if (bodyStart < 0) {
      i = j;
      continue;
    }
    let end = bodyStart;
    while (end < text.length && isUrlCode(text.charCodeAt(end))) end++;
    while (end > bodyStart && isTrailingPunct(text.charCodeAt(end - 1))) end--;
    if (end === bodyStart) {
      i = j;
      continue;
    }
    spans.push({ start: i, end, url: text.slice(i, end) });
    i = end;
  }
  return spans;
}

function schemeOf(url: string): string {
  const colon = url.indexOf(':');
  return colon > 0 ? url.slice(0, colon).toLowerCase() : '';
}

/** The host of an http-like URL (lower-case, no user info or port), or '' when it has none. */
export function hostOf(url: string): string {
  let rest: string;
  const sep = url.indexOf('://');
  if (sep > 0) rest = url.slice(sep + 3);
  else if (url.toLowerCase().startsWith('www.')) rest = url;
  else return '';
  let end = 0;
  while (end < rest.length && !'/?#\\'.includes(rest.charAt(end))) end++;
  let host = rest.slice(0, end);
  host = host.slice(host.lastIndexOf('@') + 1).toLowerCase();
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  while (host.endsWith('.')) host = host.slice(0, -1);
  for (let k = 0; k < host.length; k++) {
    const c = host.charCodeAt(k);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
    if (!ok) return '';
  }
  return host;
}

/**
 * What follows a link's (already rendered) label for `level`: '' or " (url)" / " (host)".
 * Scripting and data URLs never survive; a URL that is cut or reduced is reported.
 */
export function linkSuffix(label: string, url: string, level: Level, report: Report): string {
  let shown = '';
  if (!DANGEROUS.has(schemeOf(url)) && level !== 'strict') {
    shown = level === 'lenient' ? url : hostOf(url);
  }
  if (shown !== url) report.add('link', url);
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
