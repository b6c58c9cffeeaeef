// `POST /v1/fetch`: a research agent's window on the web. Only research agents, only http(s) to
// hosts on the agent's allow-list (globs, as in vault scopes), no credentials of any kind (no
// headers from the agent, no cookies, no userinfo in the URL). Every hop, redirects included, is
// resolved and pinned (pinned-fetch.ts): loopback, private, link-local and metadata addresses are
// reached only through an entry naming the exact host:port. What comes back is sanitized at the
// agent's web sanitizer level, with the report and its instruction findings (also logged); the
// answer is capped in size, the exchange in time.
// Action agents hold credentials and get no web at all. The MCP endpoint's `fetch` goes through
// `fetchFor`, as this route does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { globMatch } from '../glob.ts';
import type { Logger } from '../log.ts';
import type { InstructionFinding } from '../sanitize/instructions.ts';
import { HARD_INPUT_CEILING, sanitizeBytes } from '../sanitize/sanitize.ts';
import type { Removal } from '../sanitize/types.ts';
import { GatewayError, readJson, sendJson } from './edge.ts';
import { pageFindings, returnedUrl } from './fetch-result.ts';
import { pinnedFetch, portOf, systemResolve, type Resolve } from './pinned-fetch.ts';
import type { GatewayAgent, GatewayLimits } from './types.ts';

/** A fetch's body (the route's and the `fetch` tool's arguments). */
export const fetchInput = z.strictObject({
  url: z.string().min(1).max(8000).describe('An absolute http(s) URL on an allow-listed host.'),
  method: z.enum(['GET', 'POST']).default('GET'),
  body: z.string().max(1_048_576).optional(),
  contentType: z.string().max(200).optional(),
});

const MAX_REDIRECTS = 5;

/** What the fetch endpoint needs. */
export interface FetchDeps {
  agent: GatewayAgent;
  limits: GatewayLimits;
  logger: Logger;
  /** The resolver (tests inject one); the system's by default. */
  resolve?: Resolve;
}

/** The `host:port` an allow-list entry with a port is compared with: the port always explicit. */
const hostPort = (url: URL): string => `${url.hostname}:${portOf(url)}`;

/** True when an allow-list entry names `url`'s host and port exactly (no wildcard). */
export function namedExactly(agent: GatewayAgent, url: URL): boolean {
  return agent.webHosts.some(
    (g) => g.includes(':') && !/[*?]/.test(g) && g.toLowerCase() === hostPort(url),
  );
}

/** Throw 403 unless `url` is http(s), without credentials, to an allow-listed host. */
export function checkWebUrl(agent: GatewayAgent, url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new GatewayError(403, 'fetch_not_allowed', 'Only http and https URLs may be fetched.');
  if (url.username || url.password)
    throw new GatewayError(403, 'fetch_not_allowed', 'Credentials in the URL are not allowed.');
  const allowed = agent.webHosts.some((g) =>
    globMatch(g.toLowerCase(), g.includes(':') ? hostPort(url) : url.hostname),
  );
  if (!allowed) {
    throw new GatewayError(
      403,
      'host_not_allowed',
      `Agent ${agent.id} may not fetch from ${url.host}; allowed hosts: ${agent.webHosts.join(', ') || 'none'}.`,
    );
  }
}

/** What a fetch answers: the page, sanitized, and what was removed from it. */
export interface FetchAnswer {
  status: number;
  url: string;
  contentType: string | null;
  body: string;
  truncated: boolean;
  removed: Removal[];
  instructions?: InstructionFinding[];
}

/** Refuse an action agent: it holds credentials and gets no web. */
function refuseAction(agent: GatewayAgent): void {
  if (agent.sensitivity !== 'research') {
    throw new GatewayError(
      403,
      'fetch_not_allowed',
      `Agent ${agent.id} is an action agent: it has no web access.`,
    );
  }
}

/** Handle one fetch. */
export async function handleFetch(
  req: IncomingMessage,
  res: ServerResponse,
  deps: FetchDeps,
): Promise<void> {
  refuseAction(deps.agent);
  const input = await readJson(req, res, fetchInput, deps.limits.maxBodyBytes);
  if (!input) return;
  sendJson(res, 200, await fetchFor(input, deps));
}

/** Fetch one validated request for a research agent. */
export async function fetchFor(
  input: z.infer<typeof fetchInput>,
  deps: FetchDeps,
): Promise<FetchAnswer> {
  const { agent, limits } = deps;
  refuseAction(agent);
  const url = URL.parse(input.url);
  if (!url) throw new GatewayError(400, 'invalid_request', 'url is not a valid absolute URL.');
  if (input.body !== undefined && input.method === 'GET')
    throw new GatewayError(400, 'invalid_request', 'A GET has no body.');
  checkWebUrl(agent, url);

  const signal = AbortSignal.timeout(limits.fetchTimeoutMs);
  const headers: Record<string, string> = { 'user-agent': 'airlock-gateway', accept: '*/*' };
  if (input.body !== undefined) headers['content-type'] = input.contentType ?? 'text/plain';
  try {
    const answer = await pinnedFetch(
      url,
      { method: input.method, headers, body: input.body },
      {
        check: (next) => checkWebUrl(agent, next),
        exact: (next) => namedExactly(agent, next),
        resolve: deps.resolve ?? systemResolve,
        signal,
        maxBytes: limits.fetchMaxBytes,
        maxRedirects: MAX_REDIRECTS,
      },
    );
    // The page is the web's text: it reaches the agent only sanitized, with what was removed.
    const level = agent.webSanitizer ?? 'strict';
    const maxLength = Math.min(limits.fetchMaxBytes, HARD_INPUT_CEILING);
    const clean = sanitizeBytes(answer.body, { level, maxLength });
    const final = returnedUrl(url, answer.url, level);
    const found = pageFindings(clean.text);
    deps.logger.info(
      {
        agent: agent.id,
        host: answer.url.host,
        address: answer.address,
        status: answer.status,
        truncated: answer.truncated,
        removed: clean.removed.length,
        ...(found.logged ? { instructions: found.logged } : {}),
      },
      'web fetch',
    );
    return {
      status: answer.status,
      url: final.url,
      contentType: mediaType(answer.contentType),
      body: clean.text,
      truncated: answer.truncated || clean.truncated,
      removed: [...final.removed, ...clean.removed],
      ...(found.instructions ? { instructions: found.instructions } : {}),
    };
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (signal.aborted) {
      throw new GatewayError(
        504,
        'fetch_timeout',
        `The fetch took longer than ${limits.fetchTimeoutMs} ms.`,
      );
    }
    const e = err as Error & { code?: string };
    throw new GatewayError(
      502,
      'fetch_failed',
      `The fetch failed: ${e.code ?? e.name}${e.code ? '' : `: ${e.message.slice(0, 200)}`}`,
    );
  }
}

/** The answer's media type alone (a header is the server's text, so only a token/token passes). */
function mediaType(header: string | null): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/.test(type)
    ? type
    : null;
}
