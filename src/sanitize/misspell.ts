// Misspelled override words, as AgentDojo's own template writes them ("Ignore your previous
// iunstructions"): a word one edit away (one letter added, dropped, changed, or two neighbours
// swapped) from a long word of a phrase slot. Bounded: only words of seven letters or more, each
// comparison one walk over at most 13 characters, and only at a slot a phrase has already reached.

/** Words shorter than this must match exactly: "rules" is one edit from "rulez" and "roles". */
export const MISSPELL_MIN = 7;

/**
 * True when the word read by `at(0..len-1)` (folded code units) is exactly one edit from `w`:
 * an insertion, a deletion, a substitution or a swap of two neighbouring letters.
 */
export function oneEditFrom(at: (i: number) => number, len: number, w: string): boolean {
  if (w.length < MISSPELL_MIN || Math.abs(len - w.length) > 1) return false;
  let i = 0;
  while (i < len && i < w.length && at(i) === w.charCodeAt(i)) i++;
  if (i === len && i === w.length) return false; // the same word: not a misspelling
  const rest = (a: number, b: number): boolean => {
    if (len - a !== w.length - b) return false;
    for (; a < len; a++, b++) if (at(a) !== w.charCodeAt(b)) return false;
    return true;
  };
  if (len === w.length) {
    if (rest(i + 1, i + 1)) return true; // one letter changed
    // Two neighbours swapped: "insturctions".
    return at(i) === w.charCodeAt(i + 1) && at(i + 1) === w.charCodeAt(i) && rest(i + 2, i + 2);
  }
  return len > w.length ? rest(i + 1, i) : rest(i, i + 1); // one letter added, or dropped
}
