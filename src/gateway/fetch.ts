// `POST /v1/fetch`: a research agent's window on the web. Only research agents, only http(s) to
// hosts on the agent's allow-list (globs, as in vault scopes), no credentials of any kind (no
// headers from the agent, no cookies, no userinfo in the URL), redirects followed only on the same
// host, the answer capped in size and the whole exchange in time. Action agents hold credentials
// and get no web at all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { globMatch } from '../glob.ts';
import type { Logger } from '../log.ts';
import { GatewayError, readJson, sendJson } from './edge.ts';
import type { GatewayAgent, GatewayLimits } from './types.ts';

const fetchInput = z.strictObject({
  url: z.string().min(1).max(8000),
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
}

/** Throw 403 unless `url` is http(s), without credentials, to an allow-listed host. */
export function checkWebUrl(agent: GatewayAgent, url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new GatewayError(403, 'fetch_not_allowed', 'Only http and https URLs may be fetched.');
  if (url.username || url.password)
    throw new GatewayError(403, 'fetch_not_allowed', 'Credentials in the URL are not allowed.');
  const allowed = agent.webHosts.some((g) =>
    globMatch(g, g.includes(':') ? url.host : url.hostname),
  );
  if (!allowed) {
    throw new GatewayError(
      403,
      'host_not_allowed',
      `Agent ${agent.id} may not fetch from ${url.host}; allowed hosts: ${agent.webHosts.join(', ') || 'none'}.`,
    );
  }
}

/** Handle one fetch. */
export async function handleFetch(
  req: IncomingMessage,
  res: ServerResponse,
  deps: FetchDeps,
): Promise<void> {
  const { agent, limits } = deps;
  if (agent.sensitivity !== 'research') {
    throw new GatewayError(
      403,
      'fetch_not_allowed',
      `Agent ${agent.id} is an action agent: it has no web access.`,
    );
  }
  const input = await readJson(req, res, fetchInput, limits.maxBodyBytes);
  if (!input) return;
  let url = URL.parse(input.url);
  if (!url) throw new GatewayError(400, 'invalid_request', 'url is not a valid absolute URL.');
  if (input.body !== undefined && input.method === 'GET')
    throw new GatewayError(400, 'invalid_request', 'A GET has no body.');
  checkWebUrl(agent, url);

  const signal = AbortSignal.timeout(limits.fetchTimeoutMs);
  const headers: Record<string, string> = { 'user-agent': 'airlock-gateway', accept: '*/*' };
  if (input.body !== undefined) headers['content-type'] = input.contentType ?? 'text/plain';
  try {
    for (let hop = 0; ; hop++) {
      const answer = await fetch(url, {
        method: input.method,
        headers,
        body: input.body,
        redirect: 'manual',
        credentials: 'omit',
        signal,
      });
      const location = answer.headers.get('location');
      if (answer.status >= 300 && answer.status < 400 && location !== null) {
        await answer.body?.cancel();
        const next = URL.parse(location, url.href);
        if (!next || next.host !== url.host || hop >= MAX_REDIRECTS) {
          throw new GatewayError(
            403,
            'redirect_not_allowed',
            `${url.host} redirected to ${next?.host ?? 'an invalid URL'}; only redirects on the same host are followed (at most ${MAX_REDIRECTS}).`,
          );
        }
        checkWebUrl(agent, next);
        url = next;
        continue;
      }
      const { text, truncated } = await readCapped(answer, limits.fetchMaxBytes);
      deps.logger.info(
        { agent: agent.id, host: url.host, status: answer.status, truncated },
        'web fetch',
      );
      return sendJson(res, 200, {
        status: answer.status,
        url: url.href,
        contentType: answer.headers.get('content-type'),
        body: text,
        truncated,
      });
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (signal.aborted) {
      throw new GatewayError(
        504,
        'fetch_timeout',
        `The fetch took longer than ${limits.fetchTimeoutMs} ms.`,
      );
    }
    const e = err as Error & { cause?: { message?: string } };
    throw new GatewayError(
      502,
      'fetch_failed',
      `The fetch failed: ${e.message}${e.cause?.message ? `: ${e.cause.message}` : ''}`,
    );
  }
}

/** Read at most `cap` bytes of the answer as text; the rest is never read. */
async function readCapped(
  answer: Response,
  cap: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const reader = (answer.body as ReadableStream<Uint8Array> | null)?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > cap) {
      chunks.push(value.subarray(0, cap - size));
      size = cap;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks, size)), truncated };
}
