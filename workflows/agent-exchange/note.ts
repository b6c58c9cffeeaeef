// Airlock's note after a sanitized text an agent reads: what the sanitizer removed and whether it
// cut the text. Pure and deterministic, so the session workflow adds it to an exchange's answer and
// src/agents/agent-text.ts to every reason: one wording, one implementation.
import type { SanitizedText } from './messages.ts';

/**
 * The text followed by what the sanitizer did, e.g. `[sanitized by Airlock: removed role-marker,
 * link; cut short]`; the text alone when nothing was removed or cut. The note is plain text the
 * sanitizer leaves as it is, so sanitizing the result again changes nothing.
 */
export function withNote(t: SanitizedText): string {
  const kinds = [...new Set(t.removed.map((r) => r.kind))].filter((k) => k !== 'truncated');
  const parts = [
    ...(kinds.length ? [`removed ${kinds.join(', ')}`] : []),
    ...(t.truncated ? ['cut short'] : []),
  ];
  if (!parts.length) return t.text;
  return `${t.text}${t.text ? ' ' : ''}[sanitized by Airlock: ${parts.join('; ')}]`;
}
