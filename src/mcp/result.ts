// A tool's result shaped for the agent, the way a vault response is: text content joined (other
// content named, not passed on), every echo of the server's secrets scrubbed, cut at the byte cap,
// and for a server not marked trusted, sanitized and searched for sentences telling the reader to
// act (as a fetched page is, src/gateway/fetch-result.ts).
import { findInstructions } from '../sanitize/instructions.ts';
import { sanitize } from '../sanitize/sanitize.ts';
import { TRUNCATION_MARKER } from '../sanitize/tidy.ts';
import type { McpCallResult } from './types.ts';

/** Most findings a result carries (as a fetch returns). */
const returnedFindings = 20;

/** What `tools/call` gave back, as the SDK parsed it. */
export interface RawResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  /** The result of a server of the 2024-10-07 protocol version (no content). */
  toolResult?: unknown;
}

/** Shape `raw` for the agent: scrubbed, capped at `maxBytes`, sanitized unless `trusted`. */
export function shapeResult(
  raw: RawResult,
  options: { scrub: (text: string) => string; maxBytes: number; trusted: boolean },
): McpCallResult {
  const scrubbed = options.scrub(joinContent(raw));
  const capped = capBytes(scrubbed, options.maxBytes);
  const isError = raw.isError === true;
  if (options.trusted) return { text: capped.text, isError, truncated: capped.truncated };
  const clean = sanitize(capped.text, { level: 'standard', maxLength: options.maxBytes });
  const found = findInstructions(clean.text);
  return {
    text: clean.text,
    isError,
    truncated: capped.truncated || clean.truncated,
    ...(found.length > 0 ? { instructions: found.slice(0, returnedFindings) } : {}),
  };
}

/** Text parts joined by blank lines; structured content as JSON when there is no text. */
function joinContent(raw: RawResult): string {
  const parts: string[] = [];
  for (const item of Array.isArray(raw.content) ? (raw.content as unknown[]) : []) {
    if (typeof item !== 'object' || item === null) continue;
    const c = item as { type?: unknown; text?: unknown; resource?: { text?: unknown } };
    if (c.type === 'text' && typeof c.text === 'string') parts.push(c.text);
    else if (c.type === 'resource' && typeof c.resource?.text === 'string')
      parts.push(c.resource.text);
    else parts.push(`[${typeof c.type === 'string' ? c.type : 'unknown'} content not shown]`);
  }
  const structured = raw.structuredContent ?? raw.toolResult;
  if (parts.length === 0 && structured !== undefined) return JSON.stringify(structured);
  return parts.join('\n\n');
}

/** `text` cut to at most `maxBytes` of UTF-8 (never inside a character), the marker appended. */
function capBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, truncated: false };
  const room = Math.max(0, maxBytes - TRUNCATION_MARKER.length);
  // Decoding a cut byte run turns a split last character into U+FFFD: drop it.
  const cut = Buffer.from(text, 'utf8')
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { text: cut + TRUNCATION_MARKER, truncated: true };
}
