// What an approver reads about one step of an agent-to-agent exchange: who asks whom (or who
// answers whom), the sanitized text that would cross, and what the sanitizer took out of it. The
// same words go on the card and in `airlock approvals show`; every string here is untrusted.
import type { ExchangeStepRequest } from '../../workflows/sensitive-action/request.ts';

/** An exchange step as the card and the CLI word it. */
export interface ExchangeView {
  /** "research-bot asks support-bot a question" or "support-bot's answer to research-bot". */
  heading: string;
  /** "asks the agent to act" when the text has instruction findings: the card's title says so. */
  warning?: string;
  /** The sanitized text that would cross (agent-written: escaped wherever it is shown). */
  text: string;
  /** "The sanitizer removed 2 things: role marker «…», …" or "Nothing was removed." */
  removed: string;
  /** "The text was cut to the link's maximum length." when it was, else null. */
  truncated: string | null;
  /**
   * When the text tells its reader to act: "This answer asks the agent to:" (or "This question
   * asks the other agent to:") and each finding's sentence with a short reason; shown first.
   */
  instructions?: { intro: string; findings: { sentence: string; reason: string }[] };
}

/** Instruction findings named on the card (a step carries at most 20). */
const INSTRUCTIONS_LISTED = 8;

/** Removals named on the line; the rest are counted. */
const LISTED = 6;

/** How `step` reads for an approver. */
export function exchangeView(step: ExchangeStepRequest): ExchangeView {
  return {
    heading:
      step.step === 'question'
        ? `${step.from} asks ${step.to} a question`
        : `${step.to}'s answer to ${step.from}`,
    ...(step.instructions?.length
      ? {
          warning:
            step.step === 'question' ? 'asks the other agent to act' : 'asks the agent to act',
        }
      : {}),
    text: step.text,
    removed: removedLine(step.removed),
    truncated: step.truncated ? "The text was cut to the link's maximum length." : null,
    ...(step.instructions?.length ? { instructions: instructionsView(step) } : {}),
  };
}

/** The findings as the card words them: the intro line, then each sentence and its reason. */
function instructionsView(step: ExchangeStepRequest): NonNullable<ExchangeView['instructions']> {
  // One line per sentence: a sentence may be found for several kinds (an order, a sequencing
  // step and an account number), and the card names them together.
  const sentences = new Map<string, { sentence: string; reasons: string[] }>();
  for (const f of step.instructions ?? []) {
    const key = `${f.start}:${f.end}`;
    const seen = sentences.get(key) ?? {
      sentence: f.sentence.replace(/\s+/g, ' ').trim(),
      reasons: [],
    };
    seen.reasons.push(`${f.kind}: ${f.reason}`);
    sentences.set(key, seen);
  }
  const all = [...sentences.values()];
  const listed = all.slice(0, INSTRUCTIONS_LISTED);
  const intro =
    step.step === 'question'
      ? 'This question asks the other agent to:'
      : 'This answer asks the agent to:';
  const more = all.length > listed.length ? ` (the first ${listed.length} of ${all.length})` : '';
  return {
    intro: `${intro}${more}`,
    findings: listed.map((s) => ({ sentence: s.sentence, reason: s.reasons.join('; ') })),
  };
}

/** "The sanitizer removed 3 things: role marker «<|im_start|>», …, and 1 more" (each kind first). */
export function removedLine(removed: readonly { kind: string; excerpt: string }[]): string {
  if (removed.length === 0) return 'Nothing was removed.';
  // Every kind is named before any kind is named twice: four role markers do not hide a link.
  const kinds = new Set<string>();
  const firsts: { kind: string; excerpt: string }[] = [];
  const repeats: { kind: string; excerpt: string }[] = [];
  for (const r of removed) {
    if (kinds.has(r.kind)) repeats.push(r);
    else firsts.push(r);
    kinds.add(r.kind);
  }
  const named = [...firsts, ...repeats]
    .slice(0, LISTED)
    .map((r) => `${r.kind.replace(/-/g, ' ')} «${r.excerpt.replace(/\s+/g, ' ').trim()}»`);
  const more = removed.length - named.length;
  const things = removed.length === 1 ? 'thing' : 'things';
  return `The sanitizer removed ${removed.length} ${things}: ${named.join(', ')}${more > 0 ? `, and ${more} more` : ''}.`;
}
