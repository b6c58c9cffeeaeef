// The URL a fetch reports back. The agent's own URL goes back as it was; after a redirect the final
// URL is the server's text (its Location header), so it passes the sanitizer at the agent's level
// like the page, and when the sanitizer would change it only its origin is returned.
import { sanitize } from '../sanitize/sanitize.ts';
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
