// Instruction-override phrasing ("ignore all previous instructions", "you are now …", "act as …")
// and line-start role labels ("System:"), matched as word sequences on the folded view, so
// "1gn0re", "іgnore" (Cyrillic і) and "ignore-all-previous" all match. A phrase takes its whole
// sentence with it (the payload usually follows the phrase); a role label goes alone. Matching is
// a fixed set of short word patterns tried at each word: constant work per word, no regex.
import type { Report } from './report.ts';
import { Editor, foldAt, foldSlice, isSpace, isWordCode } from './scan.ts';
import type { Level } from './types.ts';

/** Token flags: may continue a phrase (short gap, no sentence end); starts a sentence; a line. */
const ADJ = 1;
const SENT = 2;
const LINE = 4;

/**
 * Words of the text, folded, as parallel arrays; the folded word strings are made only when
 * needed. Only letters, digits, @ and $ fold, and they are word characters, so every non-word
 * character (spaces, punctuation, sentence ends) reads the same folded or not.
 */
interface Tokens {
  f: string;
  s: Int32Array;
  e: Int32Array;
  flags: Uint8Array;
  n: number;
}

function word(t: Tokens, k: number): string {
  return foldSlice(t.f, t.s[k] ?? 0, t.e[k] ?? 0);
}

interface Slot {
  words: Set<string> | null;
  min: number;
  max: number;
}

interface Pattern {
  from: Level;
  scope: 'sentence' | 'label';
  anchor?: 'sentence' | 'line';
  slots: Slot[];
}

/** A slot of space-separated alternatives ('*' = any word), taken min..max times. */
function w(words: string, min = 1, max = min): Slot {
  return { words: words === '*' ? null : new Set(words.split(' ')), min, max };
}

const V = 'ignore disregard forget override bypass skip discard drop abandon neglect';
const DET = 'all any every each of the your my these those that this its entire whole';
const Q =
  'previous prior above earlier preceding foregoing initial original existing old current past ' +
  'last system developer safety default given preset provided';
const N =
  'instructions instruction directions directives prompts prompt rules guidelines guardrails ' +
  'constraints context programming commands orders policies restrictions guidance training';
const ROLE_AFTER_NOW =
  'dan jailbroken unrestricted unfiltered uncensored unbound unchained evil mode ai assistant ' +
  'chatbot bot llm gpt persona character roleplaying pretending longer different';
const REVEAL = 'reveal print show repeat output leak disclose dump display tell';

const PATTERNS: Pattern[] = [
  // Every level: the unambiguous overrides.
  { from: 'lenient', scope: 'sentence', slots: [w(V), w(DET, 0, 3), w(Q, 1, 2), w(N)] },
  {
    from: 'lenient',
    scope: 'sentence',
    slots: [w(V), w('all any', 0, 1), w('your'), w(Q, 0, 1), w(N)],
  },
  { from: 'lenient', scope: 'sentence', slots: [w(V), w('all any'), w('the', 0, 1), w(N)] },
  {
    from: 'lenient',
    scope: 'sentence',
    slots: [w(V), w(DET, 0, 2), w(N), w('above before given provided earlier previously you')],
  },
  {
    from: 'lenient',
    scope: 'sentence',
    slots: [
      w(V),
      w('everything anything'),
      w('above before prior previously earlier so you i we that'),
    ],
  },
  {
    from: 'lenient',
    scope: 'sentence',
    slots: [
      w('new updated revised real actual true override additional secret hidden'),
      w('system', 0, 1),
      w('instructions instruction directives directive task tasks orders rules prompt'),
      w(':'),
    ],
  },
  // Standard adds phrasing that is rarely innocent in an answer from another agent.
  { from: 'standard', scope: 'sentence', slots: [w('system'), w('prompt')] },
  {
    from: 'standard',
    scope: 'sentence',
    slots: [
      w(REVEAL),
      w(DET, 0, 2),
      w('initial hidden original secret internal full'),
      w('prompt instructions rules'),
    ],
  },
  {
    from: 'standard',
    scope: 'sentence',
    slots: [w('you'), w('are re'), w('now'), w('*', 0, 3), w(ROLE_AFTER_NOW)],
  },
  { from: 'standard', scope: 'sentence', anchor: 'sentence', slots: [w('act'), w('as')] },
  {
    from: 'standard',
    scope: 'sentence',
    slots: [
      w('you please'),
      w('will must should shall need', 0, 1),
      w('to', 0, 1),
      w('now', 0, 1),
      w('act'),
      w('as'),
    ],
  },
  {
    from: 'standard',
    scope: 'sentence',
    slots: [w('want need'), w('you'), w('to'), w('act'), w('as')],
  },
  { from: 'standard', scope: 'sentence', slots: [w('now'), w('act'), w('as')] },
  {
    from: 'standard',
    scope: 'sentence',
    slots: [w('pretend'), w('to you that'), w('be are you re', 0, 1)],
  },
  {
    from: 'standard',
    scope: 'sentence',
    slots: [
      w('from'),
      w('now'),
      w('on'),
      w('you your act respond answer ignore always never only reply behave'),
    ],
  },
  { from: 'standard', scope: 'sentence', slots: [w('do'), w('anything'), w('now')] },
  {
    from: 'standard',
    scope: 'label',
    anchor: 'line',
    slots: [w('system assistant developer'), w(':')],
  },
  // Strict also takes the looser forms, accepting false positives.
  { from: 'strict', scope: 'sentence', slots: [w('you'), w('are re'), w('now')] },
  { from: 'strict', scope: 'sentence', slots: [w('act'), w('as')] },
  { from: 'strict', scope: 'sentence', slots: [w('roleplay'), w('as')] },
  {
    from: 'strict',
    scope: 'sentence',
    slots: [
      w('enable enter activate'),
      w('developer god dan jailbreak unrestricted debug'),
      w('mode'),
    ],
  },
  {
    from: 'strict',
    scope: 'sentence',
    slots: [
      w('do don dont never'),
      w('not t', 0, 1),
      w('tell reveal mention inform show'),
      w('the', 0, 1),
      w('user human anyone them operator approver'),
    ],
  },
  {
    from: 'strict',
    scope: 'label',
    anchor: 'line',
    slots: [w('user human ai bot model tool'), w(':')],
  },
];

const RANK: Record<Level, number> = { lenient: 0, standard: 1, strict: 2 };
const BY_FIRST = new Map<string, Pattern[]>();
for (const p of PATTERNS) {
  for (const word of p.slots[0]?.words ?? [])
    BY_FIRST.set(word, [...(BY_FIRST.get(word) ?? []), p]);
}
/** (first code unit, length) of every word that can start a pattern: a cheap pre-check. */
const FIRST_KEYS = new Set([...BY_FIRST.keys()].map((k) => k.charCodeAt(0) * 64 + k.length));

function tokenize(f: string): Tokens {
  const t: Tokens = {
    f,
    s: new Int32Array(f.length),
    e: new Int32Array(f.length),
    flags: new Uint8Array(f.length),
    n: 0,
  };
  let prevEnd = 0;
  let prevColon = false;
  let i = 0;
  while (i < f.length) {
    const c = foldAt(f, i);
    const colon = c === 0x3a;
    if (!colon && !isWordCode(c)) {
      i++;
      continue;
    }
    let e = i + 1;
    if (!colon) while (e < f.length && isWordCode(foldAt(f, e))) e++;
    let terminator = false;
    let newline = false;
    let lineStart = t.n === 0;
    for (let g = prevEnd; g < i; g++) {
      const gc = f.charCodeAt(g);
      if (gc === 0x0a) newline = lineStart = true;
      else if (gc === 0x2e || gc === 0x21 || gc === 0x3f) terminator = true;
      else if (lineStart && !isSpace(gc) && gc !== 0x2d && gc !== 0x3e && gc !== 0x2a)
        lineStart = false;
    }
    const k = t.n++;
    t.s[k] = i;
    t.e[k] = e;
    t.flags[k] =
      (k > 0 && i - prevEnd <= 8 && !terminator && !newline ? ADJ : 0) |
      // Every line starts a sentence, so removing one line never makes the next one a new match.
      (k === 0 || terminator || newline || prevColon ? SENT : 0) |
      (lineStart ? LINE : 0);
    prevEnd = e;
    prevColon = colon;
    i = e;
  }
  return t;
}

/** The token index after a match of slots[si..] starting at token k, or -1. */
/** True when the last slot's word is glued to more letters ("instructionsand"). */
function gluedLast(slot: Slot, w: string): boolean {
  for (const x of slot.words ?? []) if (x.length >= 4 && w.startsWith(x)) return true;
  return false;
}

/**
 * The token index after a match of slots[si..] starting at token k, or -1. The first token is
 * read as `firstWord` (a verb glued to letters before it: "xignore" is read as "ignore").
 */
function matchFrom(
  t: Tokens,
  first: number,
  firstWord: string,
  k: number,
  slots: Slot[],
  si: number,
): number {
  const slot = slots[si];
  if (!slot) return k;
  for (let count = 0; ; count++) {
    if (count >= slot.min) {
      const r = matchFrom(t, first, firstWord, k, slots, si + 1);
      if (r >= 0) return r;
    }
    if (count === slot.max || k >= t.n || (k > first && ((t.flags[k] ?? 0) & ADJ) === 0)) return -1;
    const w = k === first ? firstWord : word(t, k);
    const ok = slot.words
      ? slot.words.has(w) || (si === slots.length - 1 && si > 0 && gluedLast(slot, w))
      : w !== ':';
    if (!ok) return -1;
    k++;
  }
}

/**
 * First words of the every-level patterns (override verbs, "new …:") may be glued to letters
 * before them ("pleaseignore"); their lengths and cheap keys, to avoid slicing every word.
 */
const GLUABLE = new Set(
  PATTERNS.filter((p) => p.from === 'lenient').flatMap((p) => [...(p.slots[0]?.words ?? [])]),
);
const GLUE_LENGTHS = [...new Set([...GLUABLE].map((v) => v.length))];
const GLUE_KEYS = new Set([...GLUABLE].map((v) => v.charCodeAt(0) * 64 + v.length));

/** The gluable first word that f[s, e) ends with (after other letters), or undefined. */
function gluedFirst(f: string, s: number, e: number): string | undefined {
  for (const len of GLUE_LENGTHS) {
    if (e - s <= len || !GLUE_KEYS.has(foldAt(f, e - len) * 64 + len)) continue;
    const v = foldSlice(f, e - len, e);
    if (GLUABLE.has(v)) return v;
  }
  return undefined;
}

function isBoundaryBefore(f: string, p: number): boolean {
  const c = f.charCodeAt(p - 1);
  return c === 0x0a || ((c === 0x2e || c === 0x21 || c === 0x3f) && isSpace(f.charCodeAt(p)));
}

/** Remove override phrases (with their sentence) and role labels active at `level`. */
export function removePhrases(text: string, level: Level, report: Report): string {
  const f = text;
  const t = tokenize(f);
  const ed = new Editor(text);
  let floor = 0;
  for (let k = 0; k < t.n; k++) {
    const s = t.s[k] ?? 0;
    const e = t.e[k] ?? 0;
    if (s < floor) continue;
    let first = FIRST_KEYS.has(foldAt(f, s) * 64 + (e - s)) ? word(t, k) : undefined;
    if (!first || !BY_FIRST.has(first)) first = gluedFirst(f, s, e);
    if (!first) continue;
    const flags = t.flags[k] ?? 0;
    for (const p of BY_FIRST.get(first) ?? []) {
      if (RANK[level] < RANK[p.from]) continue;
      if ((p.anchor === 'line' && !(flags & LINE)) || (p.anchor === 'sentence' && !(flags & SENT)))
        continue;
      const endTok = matchFrom(t, k, first, k, p.slots, 0);
      if (endTok < 0) continue;
      let start = s;
      let end = t.e[endTok - 1] ?? e;
      if (p.scope === 'sentence') {
        // The whole sentence: back at most 300 characters (the part before stays, harmless),
        // forward to its end however far, so what follows is a fresh sentence in any later pass.
        const back = Math.max(floor, start - 300);
        while (start > back && !isBoundaryBefore(f, start)) start--;
        while (isSpace(f.charCodeAt(start)) && start < s) start++;
        while (end < f.length && f.charCodeAt(end) !== 0x0a && !isBoundaryBefore(f, end + 1)) end++;
        if (end < f.length && f.charCodeAt(end) !== 0x0a) end++;
      }
      while (f.charCodeAt(end) === 0x20 || f.charCodeAt(end) === 0x09) end++;
      report.add(
        p.scope === 'label' ? 'role-marker' : 'instruction-override',
        text.slice(start, end),
      );
      ed.cut(start, end);
      floor = end;
      break;
    }
  }
  return ed.done();
}
