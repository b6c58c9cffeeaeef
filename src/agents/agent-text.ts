// The one way text from outside Airlock becomes text an agent reads: another agent's answer, an
// external A2A agent's answer, error or failure text, a person's typed rejection reason. It is
// sanitized at the crossing's level and capped, and when anything went the agent is told so in
// Airlock's note after it. Pure: activities and the gateway call it; workflows go through those.
import { findInstructions } from '../sanitize/instructions.ts';
import { sanitize } from '../sanitize/sanitize.ts';
import type { Level } from '../sanitize/types.ts';
import type { SanitizedText } from '../../workflows/agent-exchange/messages.ts';
import { maxInstructionFindings } from '../../workflows/sensitive-action/request.ts';
import { withNote } from '../../workflows/agent-exchange/note.ts';

export { withNote };

/** How text crosses into an agent: the sanitizer level and the longest text let through. */
export interface AgentCrossing {
  level: Level;
  maxLength: number;
}

/** Longest reason (an error, a failure, a rejection) an agent is given, before the note. */
export const agentReasonMaxLength = 500;

/**
 * `text` as an agent may read it, with the sanitizer's report and the sentences of the sanitized
 * text that tell the reader to act (the first 20; absent when there are none). The findings are
 * computed on what crosses, so their spans point into the text the approver reads.
 */
export function toAgentText(text: string, crossing: AgentCrossing): SanitizedText {
  const clean = sanitize(text, { level: crossing.level, maxLength: crossing.maxLength });
  const found = findInstructions(clean.text).slice(0, maxInstructionFindings);
  return found.length ? { ...clean, instructions: found } : clean;
}

/** A reason from outside as an agent may read it: sanitized, capped, with Airlock's note. */
export function agentReason(text: string, level: Level): string {
  return withNote(toAgentText(text, { level, maxLength: agentReasonMaxLength }));
}
