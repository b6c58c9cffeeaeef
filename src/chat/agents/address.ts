// Reading a chat message addressed to an agent: the bot's own mention taken off, an agent named at
// the start ("Support: …", "@research-bot, …", "support-bot …") recognised and stripped, and the
// session's conversation key derived from the Chat SDK thread. Pure functions on the text, so the
// router (router.ts) stays a straight line.
import { createHash } from 'node:crypto';
import type { Agent } from '../../policy/types.ts';

/** What the start of a message says about its agent. */
export type Addressed =
  | { kind: 'agent'; agentId: string; text: string }
  | { kind: 'unknown'; name: string }
  | { kind: 'none'; text: string };

/** `text` without a leading mention of the bot under any of `names` ("@Airlock hi" → "hi"). */
export function withoutBotMention(text: string, names: (string | undefined)[]): string {
  let out = text.trim();
  for (const name of names) {
    if (!name) continue;
    const at = `@${name}`;
    if (out.toLowerCase().startsWith(at.toLowerCase()) && !/[\w-]/.test(out[at.length] ?? ' ')) {
      out = out.slice(at.length).replace(/^[\s:,]+/, '');
    }
  }
  return out;
}

/**
 * The agent `text` starts with: an agent's id or display name (any case, optional `@`) followed by
 * `:`, `,`, white space or the end; `unknown` for an explicit `@name:` or `@name,` naming none.
 */
export function addressedAgent(
  text: string,
  agents: Pick<Agent, 'id' | 'displayName'>[],
): Addressed {
  const trimmed = text.trim();
  // Longest names first, so "Support Desk" wins over "Support".
  const names = agents
    .flatMap((a) => [a.id, a.displayName].filter(Boolean).map((n) => ({ id: a.id, name: n! })))
    .sort((a, b) => b.name.length - a.name.length);
  const lower = trimmed.toLowerCase();
  for (const { id, name } of names) {
    const start = lower.startsWith('@') ? 1 : 0;
    const end = start + name.length;
    if (lower.slice(start, end) !== name.toLowerCase()) continue;
    if (end < trimmed.length && !/[\s:,]/.test(trimmed[end] ?? '')) continue;
    return { kind: 'agent', agentId: id, text: trimmed.slice(end).replace(/^[\s:,]+/, '') };
  }
  const named = /^@([^\s:,]{1,80})[:,]/.exec(trimmed);
  if (named?.[1]) return { kind: 'unknown', name: named[1] };
  return { kind: 'none', text: trimmed };
}

/** The session key of a chat thread: `<platform>-<first 16 hex of sha256(threadId)>`. */
export function conversationKeyOf(platform: string, threadId: string): string {
  return `${platform}-${createHash('sha256').update(threadId).digest('hex').slice(0, 16)}`;
}
