// The sanitizer for text that crosses a trust boundary from another agent: plain text out, with a
// bounded report of what was removed and why. One cleaning pass runs the stages in order; passes
// repeat until the text stops changing (decoding can reveal new markup: `&amp;lt;b&amp;gt;`), so the
// result is a fixed point and sanitizing it again changes nothing. Every stage is linear in its
// input and the number of passes is capped, so the whole is linear; input is capped first.
import { z } from 'zod';
import { AirlockError } from '../errors.ts';
import { removeBlobs } from './blobs.ts';
import { decodePercent, removeInvisible } from './chars.ts';
import { stripHtml } from './html.ts';
import { stripMarkdown } from './markdown.ts';
import { removeMarkers } from './markers.ts';
import { removePhrases } from './phrases.ts';
import { dropBoundaries } from './scan.ts';
import { removeShouting } from './shouting.ts';
import { Report } from './report.ts';
import { tidy, truncate } from './tidy.ts';
import type { Level, Removal, SanitizeOptions, SanitizeResult } from './types.ts';
import { LEVELS } from './types.ts';

/** Passes allowed before input that keeps changing is withheld as unstable. */
export const MAX_PASSES = 6;
/** Input beyond max(10 × maxLength, 64 Ki) code units, and never beyond 4 Mi, is cut first. */
export const HARD_INPUT_CEILING = 4 * 1024 * 1024;
const MIN_INPUT_CEILING = 64 * 1024;

const optionsSchema = z.object({
  level: z.enum(LEVELS as [Level, ...Level[]]),
  maxLength: z.number().int().min(1).max(HARD_INPUT_CEILING),
});

/** The input ceiling for a given maxLength. */
export function inputCeiling(maxLength: number): number {
  return Math.min(HARD_INPUT_CEILING, Math.max(MIN_INPUT_CEILING, 10 * maxLength));
}

/** One pass of every stage over `text`. */
function cleanOnce(text: string, level: Level, report: Report): string {
  let t = removeInvisible(decodePercent(text, report), report);
  const normalized = t.normalize('NFKC');
  if (normalized !== t) report.tally('encoded', 'compatibility forms normalized (NFKC)');
  t = removeMarkers(normalized, level, report);
  t = stripHtml(t, level, report);
  t = stripMarkdown(t, level, report);
  t = removeShouting(t, report);
  t = removePhrases(t, level, report);
  t = removeBlobs(t, level, report);
  return tidy(dropBoundaries(t));
}

/** Run passes until the text is a fixed point; undefined when MAX_PASSES were not enough. */
function settle(text: string, level: Level, report: Report): string | undefined {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const found = new Report();
    const next = cleanOnce(text, level, found);
    if (next === text) return text;
    report.merge(found);
    text = next;
  }
  return undefined;
}

/** What one cleaning pass would remove from `text`: empty for any text `sanitize` returned. */
export function inspect(text: string, level: Level): Removal[] {
  const report = new Report();
  cleanOnce(text, level, report);
  return report.entries();
}

/** Clean `input` into plain text no longer than `options.maxLength`, reporting what went. */
export function sanitize(input: string, options: SanitizeOptions): SanitizeResult {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new AirlockError('sanitize_options_invalid', z.prettifyError(parsed.error));
  }
  const { level, maxLength } = parsed.data;
  const report = new Report();
  let text = typeof input === 'string' ? input : '';
  const ceiling = inputCeiling(maxLength);
  if (text.length > ceiling) {
    report.add('input-cap', `input of ${text.length} chars cut to ${ceiling} before cleaning`);
    const c = text.charCodeAt(ceiling - 1);
    text = text.slice(0, c >= 0xd800 && c <= 0xdbff ? ceiling - 1 : ceiling);
  }
  const unstable = (): SanitizeResult => {
    report.add('unstable', `text still changing after ${MAX_PASSES} passes; withheld`);
    return { text: '', removed: report.entries(), truncated: false };
  };
  let clean = settle(text, level, report);
  if (clean === undefined) return unstable();
  let truncated = false;
  for (let round = 0; clean.length > maxLength; round++) {
    if (round === 3) return unstable();
    if (!truncated) report.add('truncated', `${clean.length} chars cut to at most ${maxLength}`);
    truncated = true;
    clean = settle(truncate(clean, maxLength), level, report);
    if (clean === undefined) return unstable();
  }
  return { text: clean, removed: report.entries(), truncated };
}

/** Like `sanitize`, for raw bytes: invalid UTF-8 becomes U+FFFD (then removed, and reported). */
export function sanitizeBytes(bytes: Uint8Array, options: SanitizeOptions): SanitizeResult {
  // 3 bytes make at most one UTF-16 code unit, so this keeps more than the input ceiling.
  const limit = 4 * inputCeiling(typeof options.maxLength === 'number' ? options.maxLength : 1);
  const view = bytes.length > limit ? bytes.subarray(0, limit) : bytes;
  return sanitize(new TextDecoder('utf-8').decode(view), options);
}
