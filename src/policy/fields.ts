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
export const cardUrl = secretUrl({
  field: 'card',
  example: 'https://agents.example.com/.well-known/agent-card.json',
  secret: 'the bearer token would cross in clear',
  instead: 'use credential',
  schemes: 'https',
}).meta({
  description:
    "The external A2A agent's card, e.g. https://agents.example.com/.well-known/agent-card.json.",
});

/** How a URL that carries a secret to its host is described: its field, an example, what the secret is and where it goes instead. */
export interface SecretUrlField {
  field: string;
  example: string;
  /** "the API key would cross the network in clear" */
  secret: string;
  /** "use apiKeyCredential" */
  instead: string;
  /** The URL is a base the caller appends to: no query either. */
  noQuery?: boolean;
  /** How the error for another scheme names the allowed ones; default "http(s)". */
  schemes?: string;
}

/**
 * A URL a credential travels to: http(s), https unless the host is loopback, no user or password
 * in it (the vault holds those), no fragment (nor a query for a base URL). Model endpoints, MCP
 * servers and A2A cards all follow it.
 */
export function secretUrl(f: SecretUrlField) {
  return z.string().superRefine((text, ctx) => {
    const problem = secretUrlProblem(text, f);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function secretUrlProblem(text: string, f: SecretUrlField): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${f.field} is a URL, e.g. ${f.example}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `${f.field} must be ${f.schemes ?? 'http(s)'}, not ${url.protocol}`;
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    return `${f.field} must be https (plain http only to loopback: ${f.secret})`;
  if (url.username || url.password) return `${f.field} must not carry credentials (${f.instead})`;
  if (f.noQuery && (url.search || url.hash)) return `${f.field} has no query or fragment`;
  if (url.hash) return `${f.field} has no fragment`;
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
