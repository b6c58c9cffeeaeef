// Field schemas shared by the sections of a policy file (ids, durations, vault credential names),
// in their own module so schema.ts and agent-schema.ts can both use them without an import cycle.
import { z } from 'zod';
import { isLoopback } from '../vault/scope.ts';
import { durationPattern, parseDuration } from './duration.ts';

/** An id: 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an id is 1–64 letters, digits, ".", "_" or "-"');

/** What can start the turn a request comes from; an `allow` rule names the ones it passes. */
export const requestOrigin = z.enum(['person', 'agent', 'a2a']);

/** The prefix that names an external A2A client in a link's `from` (`a2a:<client id>`). */
export const a2aPrefix = 'a2a:';

/** A link's asker: an agent id, or `a2a:<client id>` for an external A2A client. */
export const asker = z
  .string()
  .regex(
    /^(?:a2a:)?[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'an asker is an agent id, or "a2a:<client id>" for an external A2A client',
  )
  .meta({
    description:
      'The asking agent, or "a2a:<client id>" for an external A2A client (AIRLOCK_A2A_TOKENS).',
  });

/** Whom an agent asks: an agent id, or `a2a:<name>` for an external A2A agent (a link's `card`). */
export const target = z
  .string()
  .regex(
    /^(?:a2a:)?[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'an agent to ask is an agent id, or "a2a:<name>" for an external A2A agent',
  );

/** An external A2A agent's card: https, plain http only to loopback, no credentials or fragment. */
export const cardUrl = z
  .string()
  .superRefine((text, ctx) => {
    const problem = cardUrlProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description:
      "The external A2A agent's card, e.g. https://agents.example.com/.well-known/agent-card.json.",
  });

function cardUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'card is a URL, e.g. https://agents.example.com/.well-known/agent-card.json';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `card must be https, not ${url.protocol}`;
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    return 'card must be https (plain http only to loopback: the bearer token would cross in clear)';
  if (url.username || url.password) return 'card must not carry credentials (use credential)';
  if (url.hash) return 'card has no fragment';
  return null;
}

/** A duration string ("30s", "15m", "4h", "3d"), parsed to milliseconds. */
export const duration = z
  .string({ error: 'a duration is a string such as "30s", "15m", "4h" or "3d"' })
  .regex(
    durationPattern,
    'a duration is a whole number and one unit s, m, h or d, e.g. "30s", "15m", "4h", "3d"',
  )
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) ctx.addIssue({ code: 'custom', message: 'a duration may be at most 365d' });
    return ms ?? 0;
  })
  .meta({ description: 'A duration: "30s", "15m", "4h" or "3d".' });

/** The name of a vault entry (the secret itself never appears in a policy file). */
export const credentialName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/, 'a credential name is a vault entry name');
