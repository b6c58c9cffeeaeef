// The instruction-override phrase patterns, as data: short word sequences with optional and
// wildcard slots, each tagged with the level it starts at. Lenient holds the unambiguous overrides;
// standard adds phrasing rarely innocent in an answer from another agent; strict takes looser forms
// and accepts false positives. Words are folded (lower-case, look-alikes mapped) before matching.
import type { Level } from './types.ts';

/** One position of a pattern: a set of words (null: any word) taken min..max times. */
export interface Slot {
  words: Set<string> | null;
  /** Each word by its hash (see wordHash), so a token is checked without slicing it. */
  hashes: Map<number, string>;
  /** The first four letters of each word of four or more: a cheap check for glued words. */
  prefixes: Set<string>;
  min: number;
  max: number;
  /** When set, a word one edit from a long word of the slot matches too (misspell.ts). */
  fuzzy?: boolean;
}

/** A phrase pattern, the level it starts at, and what it removes (sentence or label). */
export interface Pattern {
  from: Level;
  scope: 'sentence' | 'label';
  anchor?: 'sentence' | 'line';
  slots: Slot[];
}

/** A 32-bit hash of a folded word, computed code unit by code unit (the tokenizer does the same). */
export function wordHash(w: string): number {
  let h = 0;
  for (let i = 0; i < w.length; i++) h = (Math.imul(h, 31) + w.charCodeAt(i)) | 0;
  return h;
}

/** A slot of space-separated alternatives ('*' = any word), taken min..max times. */
function w(words: string, min = 1, max = min): Slot {
  const list = words === '*' ? [] : words.split(' ');
  const hashes = new Map(list.map((x) => [wordHash(x), x]));
  if (hashes.size !== list.length) throw new Error(`hash collision in "${words}"`);
  const prefixes = new Set(list.filter((x) => x.length >= 4).map((x) => x.slice(0, 4)));
  return { words: words === '*' ? null : new Set(list), hashes, prefixes, min, max };
}

/** Like `w`, and a misspelling of a long word matches too ("iunstructions", "previuos"). */
function near(words: string, min = 1, max = min): Slot {
  return { ...w(words, min, max), fuzzy: true };
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

/** Every phrase pattern, from lenient (always on) to strict. */
export const PATTERNS: Pattern[] = [
  // Every level: the unambiguous overrides.
  { from: 'lenient', scope: 'sentence', slots: [w(V), w(DET, 0, 3), near(Q, 1, 2), near(N)] },
  {
    from: 'lenient',
    scope: 'sentence',
    slots: [w(V), w('all any', 0, 1), w('your'), near(Q, 0, 1), near(N)],
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
