// What the agent looked up in the running turn: each MCP call (`mcp:<server>` action) that Airlock
// executed is kept with its arguments and capped result, and every request the agent makes later
// in the same turn carries them (request.context.lookups), so the approver's card shows what the
// agent read from Airlock's own record of it, not from the agent's words. Plain workflow state:
// replay rebuilds it from the same child results, and a new turn starts with none.
import type { InstructionFindingRequest, TurnLookup } from '../sensitive-action/request.ts';

/** Lookups one turn keeps (the first ones; a turn that reads more is shown the first five). */
export const maxLookups = 5;
/** Characters of one lookup's result kept for the card. */
export const maxLookupChars = 1500;

const mcpPrefix = 'mcp:';

/** The turn's lookups: record executed MCP calls, and read them back for a later request. */
export function turnLookups() {
  let turn: number | null = null;
  let kept: TurnLookup[] = [];
  return {
    /** Keep the executed call `ask` of turn `ask.turn`, whose result was `result`. */
    record(
      ask: { turn: number; capability: string; path: string; body?: unknown },
      result: unknown,
    ): void {
      if (!ask.capability.startsWith(mcpPrefix)) return;
      if (turn !== ask.turn) [turn, kept] = [ask.turn, []];
      if (kept.length >= maxLookups || isError(result)) return;
      const text = resultText(result);
      const cut = cutAt(text.text, maxLookupChars);
      const instructions = findingsOf(result);
      kept.push({
        server: ask.capability.slice(mcpPrefix.length),
        tool: ask.path.replace(/^\//, ''),
        arguments: ask.body ?? {},
        result: cut,
        truncated: text.truncated || cut.length < text.text.length,
        ...(instructions ? { instructions } : {}),
      });
    },
    /** What turn `n` looked up so far (a copy). */
    of(n: number): TurnLookup[] {
      return turn === n ? [...kept] : [];
    },
  };
}

/**
 * The text of an executed MCP call's result: an execution result's `body`, the hub's `text`, a
 * string, or else its JSON.
 */
function resultText(result: unknown): { text: string; truncated: boolean } {
  if (typeof result === 'string') return { text: result, truncated: false };
  if (result && typeof result === 'object') {
    const r = result as { body?: unknown; text?: unknown; truncated?: unknown };
    const text = typeof r.body === 'string' ? r.body : r.text;
    if (typeof text === 'string') return { text, truncated: r.truncated === true };
  }
  return { text: JSON.stringify(result ?? null), truncated: false };
}

/** The instruction findings the executor found in the result (the whole result, not the cut). */
function findingsOf(result: unknown): InstructionFindingRequest[] | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const found = (result as { instructions?: unknown }).instructions;
  return Array.isArray(found) && found.length > 0
    ? (found as InstructionFindingRequest[])
    : undefined;
}

/** A call that failed at the server (`isError`, or an error status) read nothing to show. */
function isError(result: unknown): boolean {
  if (!result || typeof result !== 'object') return false;
  const r = result as { isError?: unknown; status?: unknown };
  return r.isError === true || (typeof r.status === 'number' && r.status >= 400);
}

/** `text` cut to at most `max` UTF-16 units, never inside a surrogate pair. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const high = text.charCodeAt(max - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max);
}
