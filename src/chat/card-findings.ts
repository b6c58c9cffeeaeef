// Instruction findings as an approver reads them, wherever outside text reaches a card: an
// exchange's question or answer, and what an MCP tool gave back in the turn (a lookup). One line
// per sentence, a sentence found for several kinds (an order, a sequencing step and an account
// number) named once with every reason; the card shows them before anything else.
import type { InstructionFindingRequest } from '../../workflows/sensitive-action/request.ts';

/** The findings as the card words them: the intro line, then each sentence and its reason. */
export interface FindingsView {
  intro: string;
  findings: { sentence: string; reason: string }[];
}

/** Sentences named on the card (a step or lookup carries at most 20 findings). */
const listedSentences = 8;

/** `findings` under `intro` ("This answer asks the agent to:"); none: undefined. */
export function findingsView(
  findings: readonly InstructionFindingRequest[] | undefined,
  intro: string,
): FindingsView | undefined {
  if (!findings?.length) return undefined;
  const sentences = new Map<string, { sentence: string; reasons: string[] }>();
  for (const f of findings) {
    const key = `${f.start}:${f.end}`;
    const seen = sentences.get(key) ?? {
      sentence: f.sentence.replace(/\s+/g, ' ').trim(),
      reasons: [],
    };
    seen.reasons.push(`${f.kind}: ${f.reason}`);
    sentences.set(key, seen);
  }
  const all = [...sentences.values()];
  const listed = all.slice(0, listedSentences);
  const more = all.length > listed.length ? ` (the first ${listed.length} of ${all.length})` : '';
  return {
    intro: `${intro}${more}`,
    findings: listed.map((s) => ({ sentence: s.sentence, reason: s.reasons.join('; ') })),
  };
}
