// Durations in policy files are short strings ("30s", "15m", "4h", "3d"): one positive integer and
// one unit, nothing else, so a typo like "1.5h" or "90" is an error rather than a silent guess.

const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const pattern = /^([1-9][0-9]{0,5})([smhd])$/;

/** The longest duration a policy may state (a year); longer values are almost always typos. */
export const maxDurationMs = 365 * unitMs.d;

/** The regular expression a duration string must match (used by the schema and JSON Schema). */
export const durationPattern = pattern;

/** Parse a duration string into milliseconds, or return null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = pattern.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * unitMs[m[2] as keyof typeof unitMs];
  return ms <= maxDurationMs ? ms : null;
}
