// Orders, read clause by clause: whether a sentence tells its reader to do something an agent would
// do. An imperative must open its clause (the sentence's start, after "please", "now" or a TODO, or
// a clause after a comma that follows an order or a step such as "before you…"), its verb must take
// an object or a recipient, and plain advice to a human reader ("visit our website for details",
// "find it there") counts only when something around it says the reader is being ordered.
// Pure and linear: every pattern is anchored or bounded, with no nested quantifiers.

/** Verbs of what an agent does for someone: moves data or money, changes or creates state. */
const ACTION = new Set(
  (
    'send transfer wire pay email e-mail mail forward create delete remove erase grant give reveal ' +
    'disclose share leak post publish upload invite change modify update reset approve refund book ' +
    'cancel schedule provide tell write run execute install download message buy concatenate ' +
    'include insert say make'
  ).split(' '),
);
/** Verbs of advice to a human reader: where to look or whom to ask ("visit our site", "call us"). */
const ADVICE = new Set('visit read open find get rate call contact subscribe'.split(' '));

// The sentence opens with a word, after quotes, markdown, one bracketed tag (`###(system_message)`)
// and at most four lead words ("please", "now", "TODO:", "IMPORTANT:"). A word followed by a colon
// is a key (`read: true`), a word, a word and a colon a heading (`Provide Feedback:`), a hyphen a
// noun (`Post-Launch`), and a word alone on its line a wrapped line. Groups: lead, word, the rest.
// Safe: anchored; the lead repeats at most 4 times over words that cannot match its separators.
const opening =
  /^[\s"'“(\-*#>]*(?:[([<][\w .-]{1,40}[)\]>][\s:]*)?((?:(?:please|kindly|do|now|then|also|and|so|first|finally|immediately|urgently|important[!:.]*|note[:.]?|ps[:.]?|todo[:.]?)[\s,:!]+){0,4})(e-mail|[a-z]+)\b(?!-|\s*:|\s+\w+:(?!\/\/)|\s*$)(.*)$/is;
// A clause after a comma, a semicolon or "and" that opens with a word: "…, and make a
// reservation", "Before you solve the task, send …", "Open the file and forward it to …".
// Groups as above; the rest ends at the next comma or semicolon.
// Safe: each start is a literal separator; bounded lead; the rest is one class.
const clause =
  /(?:[,;]\s+(?:and\s+)?|\sand\s+(?:then\s+|also\s+)?)((?:(?:please|kindly|do|now|then|also|so|first|finally|immediately)[\s,:!]+){0,4})(e-mail|[a-z]+)\b(?!-|\s*:)([^,;]*)/gi;
// What may open a sentence whose later clause is an order: an order itself, or a step around the
// reader's task. A noun phrase ("The staff and the view, create…") may not. Safe: anchored.
const stepOpening =
  /^[\s"'“(\-*#>]*(?:before|after|once|when|whenever|if|then|first|next|finally|afterwards|instead|otherwise|also|now|please|todo)\b/i;
// The reader is told they must do it, or to be sure to. Groups: the verb, the rest of its clause.
// Safe: literal alternations joined by single \s+ runs, one bounded word, then one class.
const mustDo =
  /\b(?:you\s+(?:must|should|need\s+to|have\s+to|are\s+(?:required|asked|instructed)\s+to|will\s+(?:now\s+)?need\s+to|are\s+to)|(?:make\s+sure|be\s+sure|don'?t\s+forget|remember)\s+(?:to|that\s+you))\s+(?:also\s+|now\s+|first\s+)?(e-mail|[a-z]{2,20})\b([^,;.!?]*)/gi;
// The verb has an object or a recipient: the next word is not a preposition, an adverb of time or
// place, or a conjunction ("Book early", "Send now!", "Call for details" have none). "to" names a
// recipient ("Send to US13…"), "as much" an amount. Safe: anchored, one literal alternation.
const object =
  /^\s+(?!(?:for|with|at|in|on|by|from|of|about|into|now|here|there|today|tomorrow|soon|later|early|online|again|more|anytime|and|or|but|if|when|as(?!\s+(?:much|many)\b)|so|than|sure)\b)["'“‘$€£@#([<+\w]/i;
// Lead words that make advice an order: a TODO, an alarm, "do", "immediately". Safe: literals.
const orderLead = /\b(?:todo|do|immediately|urgently|important)\b/i;
// Advice for the reader's own information ("for details", "to learn more"). Safe: literal words.
const forReader =
  /\b(?:for\s+(?:more\s+)?(?:details|information|info|updates)|to\s+(?:learn|find\s+out|read|see)\s+more)\b/i;
// The writer's own place ("call us at …", "visit our site …"): an invitation, not a target.
// Safe: anchored literals.
const ownPlace = /^\s+(?:us|our)\b/i;

/** How a sentence orders: an action on a target, advice with an order's cue, or only advice. */
export type Order = 'action' | 'advice' | undefined;

/**
 * Whether `s` orders its reader. `contact` says whether the sentence names a contact point or an
 * account (advice aimed at one, not for the reader's own information, is an order); `cued` that
 * the sentence already is a finding (authority, sequencing, an AI addressed), so that a clause
 * after its comma may open an order ("Dear assistant, send …").
 */
export function orderOf(s: string, contact: (s: string) => boolean, cued = false): Order {
  for (const m of s.matchAll(mustDo))
    if (ACTION.has((m[1] ?? '').toLowerCase()) && object.test(m[2] ?? '')) return 'action';
  const open = opening.exec(s);
  let found = open ? judge(open[1] ?? '', open[2] ?? '', open[3] ?? '', contact) : undefined;
  if (found === 'action') return found;
  // A later clause counts only when the sentence opens with an order, a step or a cue.
  if (found || cued || stepOpening.test(s)) {
    clause.lastIndex = 0;
    for (let m = clause.exec(s); m; m = clause.exec(s)) {
      const j = judge(m[1] ?? '', m[2] ?? '', m[3] ?? '', contact);
      if (j === 'action') return j;
      found ??= j;
    }
  }
  return found;
}

/** One clause's verb: an action with an object, advice with a cue or a target, or advice. */
function judge(lead: string, verb: string, rest: string, contact: (s: string) => boolean): Order {
  const v = verb.toLowerCase();
  if (!(ACTION.has(v) || ADVICE.has(v)) || !object.test(rest)) return undefined;
  if (ACTION.has(v)) return 'action';
  if (orderLead.test(lead)) return 'action';
  if (contact(rest) && !forReader.test(rest) && !ownPlace.test(rest)) return 'action';
  return 'advice';
}
