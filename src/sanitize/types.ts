// The sanitizer's public vocabulary: levels, the stable union of removal kinds, options and result.
// Kept apart from the pipeline so callers (workflows via `import type`, cards, the CLI) share it.

/** How hard the sanitizer cuts: see docs/sanitizer.md for the exact table. */
export type Level = 'lenient' | 'standard' | 'strict';

/** Every level, in increasing strictness. */
export const LEVELS: readonly Level[] = ['lenient', 'standard', 'strict'];

/** Why something was removed or rewritten; a stable string union that approver cards may key on. */
export type RemovalKind =
  | 'input-cap'
  | 'control-char'
  | 'zero-width'
  | 'bidi'
  | 'tag-char'
  | 'invalid-char'
  | 'combining-mark'
  | 'encoded'
  | 'html'
  | 'markdown'
  | 'link'
  | 'instruction-override'
  | 'role-marker'
  | 'tool-call'
  | 'blob'
  | 'truncated'
  | 'unstable';

/** One entry of the report: what kind of thing went, and a short (≤ 80 chars) plain-text excerpt. */
export interface Removal {
  kind: RemovalKind;
  excerpt: string;
}

/** Options for one call: the level and the maximum output length in UTF-16 code units. */
export interface SanitizeOptions {
  level: Level;
  maxLength: number;
}

/** The cleaned plain text, what was removed and why, and whether the text was cut to fit. */
export interface SanitizeResult {
  text: string;
  removed: Removal[];
  truncated: boolean;
}
