// Glob matching for paths and hosts, shared by policy rules and vault scopes. Linear-ish time with
// no regular expressions: `*` matches any run of characters except `/`, `**` matches anything
// (including `/`), `?` matches one character other than `/`. Everything else is literal.

/** True when `text` matches the glob `pattern` (case-sensitive). */
export function globMatch(pattern: string, text: string): boolean {
  // Iterative wildcard matching with backtracking to the last star only: O(pattern × text) worst
  // case, no recursion, no catastrophic blow-up.
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  let starCrossesSlash = false;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starCrossesSlash = pattern[p + 1] === '*';
      p += starCrossesSlash ? 2 : 1;
      starP = p;
      starT = t;
      continue;
    }
    if (pc !== undefined && (pc === text[t] || (pc === '?' && text[t] !== '/'))) {
      p++;
      t++;
      continue;
    }
    if (starP >= 0 && (starCrossesSlash || text[starT] !== '/')) {
      starT++;
      t = starT;
      p = starP;
      continue;
    }
    return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
