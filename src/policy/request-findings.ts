// The instruction findings of an action request: the sentences of the agent's purpose and of the
// body's text fields that tell their reader to act. A rule's onInstructions decides on them; the
// walk is bounded (fields, depth, characters) so a huge body costs no more than a capped one.
import { findInstructions, type InstructionFinding } from '../sanitize/instructions.ts';
import { truncate } from '../sanitize/tidy.ts';
import type { ActionRequest } from './types.ts';

const maxFields = 64;
const maxDepth = 8;
const maxChars = 4000;

/** The findings of `request`'s purpose and body strings, in that order. */
export function requestFindings(request: ActionRequest): InstructionFinding[] {
  const texts: string[] = request.purpose ? [request.purpose] : [];
  const walk = (value: unknown, depth: number): void => {
    if (texts.length >= maxFields || depth > maxDepth) return;
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) for (const v of value) walk(v, depth + 1);
    else if (value && typeof value === 'object')
      for (const v of Object.values(value as Record<string, unknown>)) walk(v, depth + 1);
  };
  walk(request.body, 0);
  return texts.flatMap((t) => findInstructions(t.slice(0, maxChars)));
}

/** "2 instruction findings, the first imperative «Send a transaction to US13…»". */
export function findingsSummary(found: readonly InstructionFinding[]): string {
  const first = found[0]!;
  const excerpt = first.sentence.length > 60 ? truncate(first.sentence, 60) : first.sentence;
  const count = `${found.length} instruction finding${found.length === 1 ? '' : 's'}`;
  return `${count}, the first ${first.kind} «${excerpt}»`;
}
