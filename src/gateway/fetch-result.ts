// The URL a fetch reports back. The agent's own URL goes back as it was; after a redirect the final
// URL is the server's text (its Location header), so it passes the sanitizer at the agent's level
// like the page, and when the sanitizer would change it only its origin is returned. The page's
// instruction findings go back with it and into the gateway's log line, where operators see them.
import { findInstructions, type InstructionFinding } from '../sanitize/instructions.ts';
import { sanitize } from '../sanitize/sanitize.ts';
import { truncate } from '../sanitize/tidy.ts';
import type { Level, Removal } from '../sanitize/types.ts';

/** The URL to return for a fetch of `asked` that ended at `final`, and what was removed from it. */
export function returnedUrl(
  asked: URL,
  final: URL,
  level: Level,
): { url: string; removed: Removal[] } {
  if (final.href === asked.href) return { url: asked.href, removed: [] };
  const clean = sanitize(final.href, { level, maxLength: 2000 });
  if (clean.text === final.href) return { url: final.href, removed: [] };
  return { url: final.origin, removed: clean.removed };
}

/** Most findings a fetch returns, and sentences its log line quotes (each cut to 120 characters). */
const returnedFindings = 20;
const loggedSentences = 3;

/**
 * The sentences of a sanitized page that tell the reader to act: the first ones for the agent, and
 * for the log their count, kinds and first sentences (absent when there are none).
 */
export function pageFindings(text: string): {
  instructions?: InstructionFinding[];
  logged?: { count: number; kinds: string[]; sentences: string[] };
} {
  const found = findInstructions(text);
  if (found.length === 0) return {};
  return {
    instructions: found.slice(0, returnedFindings),
    logged: {
      count: found.length,
      kinds: [...new Set(found.map((f) => f.kind))],
      sentences: [...new Set(found.map((f) => f.sentence))]
        .slice(0, loggedSentences)
        .map((s) => (s.length > 120 ? truncate(s, 120) : s)),
    },
  };
}
