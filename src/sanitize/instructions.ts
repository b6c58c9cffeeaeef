// Instruction findings: the sentences of a text that address an AI agent or tell the reader to act.
// A sanitizer cannot delete every instruction written in plain language without deleting content,
// so these are reported, never removed: the person who approves the text sees them. Pure and
// linear: the text is split into sentences once, and each sentence is matched against a fixed set
// of anchored or bounded patterns (no nested quantifiers, so no backtracking blow-up). Orders are
// read clause by clause (orders.ts); advice counts next to another finding.
import { orderOf, type Order } from './orders.ts';

/** What a finding is about. */
export type InstructionKind =
  | 'imperative' // an order to send, transfer, email, create, delete, grant or reveal
  | 'authority' // a claim of authority: "an important message from", "new policy", "pre-approved"
  | 'sequencing' // steps around the reader's task: "before you solve the task", "instead"
  | 'address' // speaking to a model or assistant by name or role
  | 'contact'; // a contact point or account number inside such a sentence

/** One finding: where it is in the text, what kind, and why, in a few words. */
export interface InstructionFinding {
  kind: InstructionKind;
  /** UTF-16 offsets of the sentence in the text it was found in. */
  start: number;
  end: number;
  /** The sentence, whitespace collapsed, at most 240 characters. */
  sentence: string;
  reason: string;
}

const authority: [RegExp, string][] = [
  [
    /\b(?:an?\s+)?(?:important|urgent)\s+(?:message|instruction|notice|update)s?\s+from\b/i,
    'claims to be an important message from someone',
  ],
  [/\bthe\s+user\s+(?:wants|asked|asks|needs|would\s+like)\s+you\b/i, 'speaks for the user'],
  [
    /\bnew\s+(?:policy|policies|rule|rules|instructions?|guidelines?|procedure)\b/i,
    'announces new rules',
  ],
  [
    /\bpre-?approved\b|\balready\s+(?:been\s+)?approved\b|\bauthori[sz]ed\s+(?:by|to)\b/i,
    'claims prior approval',
  ],
  [
    /\b(?:system|admin(?:istrator)?|developer|security\s+team|it\s+department)\s*(?:message|notice|override|update|says|requires|:)/i,
    'claims to speak for the system or an administrator',
  ],
  [/\bthis\s+is\s+(?:an?\s+)?(?:official|authori[sz]ed|mandatory)\b/i, 'claims to be official'],
  [
    /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous|prior|above|earlier|original|other)?\s*(?:instructions?|rules|guidelines|prompts?|directions)\b/i,
    'tells the reader to drop its instructions',
  ],
];

const sequencing: [RegExp, string][] = [
  [
    /\bbefore\s+(?:you\s+)?(?:can\s+)?(?:solve|do|complete|finish|continue|proceed|answer|start|respond|reply)\b/i,
    'puts a step before the reader’s task',
  ],
  [
    /\bafter\s+(?:you\s+)?(?:do|did|have\s+done|finish|complete)\s+(?:that|this|it)\b/i,
    'adds a step after the reader’s task',
  ],
  [
    /\b(?:once|when)\s+you(?:'ve|\s+have|\s+are)\s+(?:done|finished|completed)\b/i,
    'adds a step after the reader’s task',
  ],
  [
    /^[\s"'“(]*instead\b|\binstead\s+of\s+(?:doing|answering|solving|what)\b/i,
    'replaces the reader’s task',
  ],
  [
    /\b(?:first|then|next|afterwards|after\s+that)\s*,?\s+(?:you\s+)?(?:must|should|need\s+to|have\s+to)\b/i,
    'orders steps for the reader',
  ],
];

const addressed: [RegExp, string][] = [
  [
    /\b(?:dear|hey|hi|hello|attention|note\s+to|to\s+the|calling)\s+(?:ai|a\.i\.|assistant|agent|model|llm|gpt|chatgpt|claude|gemini|copilot|bot|language\s+model)s?\b/i,
    'speaks to an AI by role',
  ],
  [
    /\b(?:as\s+an?\s+|you\s+are\s+(?:an?\s+)?)(?:ai|assistant|agent|language\s+model|llm|helpful\s+assistant)\b/i,
    'tells an AI what it is',
  ],
  [
    /\b(?:ai|assistant|agent|model|llm)\s*[,:]\s*(?:please\s+)?(?:you\s+)?\w/i,
    'speaks to an AI by role',
  ],
  [
    /\b(?:this\s+is\s+)?(?:a\s+)?(?:message|note|instruction)s?\s+(?:for|to)\s+(?:the\s+)?(?:ai|assistant|agent|model|llm|bot)\b/i,
    'is addressed to an AI',
  ],
];

const contacts: [RegExp, string][] = [
  [/[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/, 'an email address'],
  [/\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b/, 'an account number (IBAN-like)'],
  // Links as the card shows them too: defanged (`hxxps://`, `www[.]`).
  [/\b(?:(?:h(?:tt|xx)ps?|f[tx]p):\/\/|www(?:\.|\[\.\]))[^\s]{1,200}/i, 'a link'],
  [/(?:\+\d{1,3}[\s-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{3,4}\b/, 'a phone number'],
  [
    /\b(?:account|acct|iban|card|wallet|routing)\s*(?:number|no\.?|#)?\s*[:#]?\s*[A-Z0-9-]{6,34}\b/i,
    'an account number',
  ],
];

const MAX_SENTENCE = 2_000;

type Hit = { kind: InstructionKind; reason: string };
const ordered: Hit = { kind: 'imperative', reason: 'tells the reader to act' };

// A link's label with its (defanged) address, alone on its line: a button, not an order
// ("Reset Password (hxxps://…)"). Safe: anchored at both ends, one bounded class per part.
const linkLabel = /^[\w ]{1,40}\((?:hxxps?|https?|fxp|ftp):\/\/[^\s()]{1,500}\)$/i;
// A list item: meeting minutes' action items ("- Schedule the next meeting") are orders to
// people, unless they name where something goes. Safe: anchored, bounded, no nesting.
const listItem = /^\s{0,8}(?:[-*•]|\d{1,3}[.)])\s/;

/** How `s` orders its reader: not at all when it is a button label or a bare action item. */
function orderIn(s: string, cued: boolean): Order {
  const order = orderOf(s, (rest) => contacts.some(([re]) => re.test(rest)), cued);
  if (!order || linkLabel.test(s)) return undefined;
  return !listItem.test(s) || contacts.some(([re]) => re.test(s)) ? order : undefined;
}

/**
 * True when the sentence at `start` continues a wrapped line: it opens in lower case after a line
 * break, and the line before ends in a word or a comma. Its first word does not open a clause.
 */
function continuesLine(text: string, start: number): boolean {
  const c = text.charCodeAt(start);
  if (!(c >= 0x61 && c <= 0x7a)) return false;
  let i = start - 1;
  let broken = false;
  for (; i >= 0 && /\s/.test(text[i] as string); i--) if (text[i] === '\n') broken = true;
  return broken && i >= 0 && /[\w,]/.test(text[i] as string);
}

/** The instruction findings of `text`, in order of position. */
export function findInstructions(text: string): InstructionFinding[] {
  const found: { start: number; end: number; s: string; here: Hit[]; advice: boolean }[] = [];
  for (const { start, end } of sentences(text)) {
    // A very long "sentence" (no punctuation) is matched on its first 2,000 characters: the
    // patterns stay linear, and an order hidden further in still shows as the sentence's start.
    const s = text.slice(start, Math.min(end, start + MAX_SENTENCE));
    const here: Hit[] = [];
    for (const [kind, table] of [
      ['authority', authority],
      ['sequencing', sequencing],
      ['address', addressed],
    ] as const) {
      const hit = table.find(([re]) => re.test(s));
      if (hit) here.push({ kind, reason: hit[1] });
    }
    const order = continuesLine(text, start) ? undefined : orderIn(s, here.length > 0);
    // Advice inside a sentence that already is a finding is an order too.
    if (order === 'action' || (order === 'advice' && here.length > 0)) here.unshift(ordered);
    found.push({ start, end, s, here, advice: order === 'advice' && here.length === 0 });
  }
  // Advice next to a finding is one of a run of orders ("Get me the hotel. Then tell me…").
  const cued = found.map(
    (f, i) =>
      f.advice && ((found[i - 1]?.here.length ?? 0) > 0 || (found[i + 1]?.here.length ?? 0) > 0),
  );
  const findings: InstructionFinding[] = [];
  found.forEach(({ start, end, s, here }, i) => {
    if (cued[i]) here.push(ordered);
    // A contact point or an account number is a finding only inside a sentence that already is
    // one: in plain content (a bill, a signature) it is just a fact the task may need.
    if (here.length > 0) {
      const hit = contacts.find(([re]) => re.test(s));
      if (hit) here.push({ kind: 'contact', reason: `names ${hit[1]}` });
    }
    const sentence = quote(s);
    for (const h of here) findings.push({ ...h, start, end, sentence });
  });
  return findings;
}

/** The sentences of `text` as offsets: split after . ! ? (then a space or the end) and at newlines. */
export function sentences(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    while (s < end && /\s/.test(text[s] as string)) s++;
    let e = end;
    while (e > s && /\s/.test(text[e - 1] as string)) e--;
    if (e > s) out.push({ start: s, end: e });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      push(i);
      start = i + 1;
    } else if ((c === '.' || c === '!' || c === '?') && /\s/.test(text[i + 1] ?? ' ')) {
      // A run of !!! or ?! ends together.
      let j = i + 1;
      while (j < text.length && /[!?.]/.test(text[j] as string)) j++;
      push(j);
      start = j;
      i = j - 1;
    }
  }
  push(text.length);
  return out;
}

function quote(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= 240 ? one : `${one.slice(0, 239)}…`;
}
