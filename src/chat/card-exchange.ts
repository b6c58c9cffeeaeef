// What an approver reads about one step of an agent-to-agent exchange: who asks whom (or who
// answers whom), the sanitized text that would cross, and what the sanitizer took out of it. The
// same words go on the card and in `airlock approvals show`; every string here is untrusted.
import type { ExchangeStepRequest } from '../../workflows/sensitive-action/request.ts';
import { findingsView, type FindingsView } from './card-findings.ts';

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
  instructions?: FindingsView;
}

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
    ...(step.instructions?.length
      ? {
          instructions: findingsView(
            step.instructions,
            step.step === 'question'
              ? 'This question asks the other agent to:'
              : 'This answer asks the agent to:',
          ),
        }
      : {}),
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
