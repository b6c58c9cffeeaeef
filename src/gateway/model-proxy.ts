// The model endpoints, one path for every wire protocol the agent's endpoint takes (`model.apis`;
// model-apis.ts describes each): the box's headers, its placeholder key among them, are dropped;
// the call leaves through the vault's one way out (egress.ts), the key read at call time, checked
// against its scope and injected as the protocol takes it. Streams pass through as they arrive;
// echoes of the key are scrubbed by whole SSE lines (one spelled out across deltas is not, but only
// the endpoint could: the model never sees the key); usage counts against the session's budget
// (estimated when none is reported, so an interrupted stream is not free).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasCode } from '../errors.ts';
import { globMatch } from '../glob.ts';
import type { Logger } from '../log.ts';
import { egress } from '../vault/egress.ts';
import type { CredentialStore } from '../vault/types.ts';
import type { ModelAnswer } from './answer-text.ts';
import { estimateTokens, type TokenBudget } from './budget.ts';
import { GatewayError, readJson, sendJson } from './edge.ts';
import type { ModelApi } from './model-apis.ts';
import { NOT_ALLOWED } from './model-fields.ts';
import { LineRelay } from './sse.ts';
import type { GatewayAgent, GatewayLimits } from './types.ts';

/** What the model proxy needs. */
export interface ModelProxyDeps {
  agent: GatewayAgent;
  store: CredentialStore;
  budget: TokenBudget;
  limits: GatewayLimits;
  logger: Logger;
  onUsage?: (usage: { tokens: number; total: number }) => void;
  /** Each call's answer as relayed (null: no answer: refused, failed or broken). */
  onAnswer?: (answer: ModelAnswer | null) => void;
}

/** The endpoint of `api`: one model call in its wire protocol. */
export function modelEndpoint(
  api: ModelApi,
): (req: IncomingMessage, res: ServerResponse, deps: ModelProxyDeps) => Promise<void> {
  return async (req, res, deps) => {
    // Until this call answers in full, the turn's last answer is none (a refusal leaves it so).
    deps.onAnswer?.(null);
    try {
      const apis = deps.agent.modelApis ?? ['chat-completions'];
      if (!apis.includes(api.name))
        throw new GatewayError(
          404,
          'model_api_not_enabled',
          `Agent ${deps.agent.id}'s model endpoint does not take ${api.title}; its policy's model.apis lists: ${apis.join(', ')}.`,
        );
      await proxy(api, req, res, deps);
    } catch (err) {
      // Refusals in the protocol's own error shape, so its clients read them (server.ts answers
      // everything else, in the OpenAI shape).
      if (!(err instanceof GatewayError) || res.headersSent) throw err;
      const path = req.url?.split('?')[0];
      deps.logger.warn({ path, status: err.status, code: err.code }, 'gateway refused');
      sendJson(res, err.status, api.errorBody(err));
    }
  };
}

async function proxy(
  api: ModelApi,
  req: IncomingMessage,
  res: ServerResponse,
  deps: ModelProxyDeps,
): Promise<void> {
  const { agent, budget, limits } = deps;
  const answer = api.reader();
  const body = await readJson(req, res, api.schema, limits.maxBodyBytes, {
    refusedCode: NOT_ALLOWED,
  });
  if (!body) return;
  if (!agent.models.some((g) => globMatch(g, body.model))) {
    throw new GatewayError(
      403,
      'model_not_allowed',
      `Agent ${agent.id} may not use model "${body.model}"; allowed: ${agent.models.join(', ')}.`,
    );
  }
  budget.check();
  api.prepare(body);
  const payload = JSON.stringify(body);

  const url = new URL(`${agent.modelEndpoint.replace(/\/+$/, '')}${api.upstreamPath}`);
  const headers = new Headers({
    ...api.headers,
    'content-type': 'application/json',
    'user-agent': 'airlock-gateway',
  });
  if (body.stream === true) headers.set('accept', 'text/event-stream');
  const log = deps.logger.child({
    agent: agent.id,
    api: api.name,
    model: body.model,
    stream: body.stream === true,
  });
  // Resolved here (egress would too) so the protocol can say how the key is presented.
  const found = await deps.store.resolve(agent.apiKeyCredential);
  if (!found)
    throw new GatewayError(
      500,
      'model_credential_missing',
      `The model API key credential "${agent.apiKeyCredential}" is not in the vault.`,
    );
  const cap = limits.maxModelResponseBytes;

  // The upstream call ends with the client (a runner that gives up stops the spend) or the timeout.
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  const signal = AbortSignal.any([gone.signal, AbortSignal.timeout(limits.modelTimeoutMs)]);
  const started = performance.now();
  const upstream = await egress(
    {
      agent: agent.id,
      credential: api.credential(found),
      method: 'POST',
      url,
      headers,
      body: payload,
      maxBytes: cap,
      signal,
    },
    { store: deps.store },
  ).catch((err: unknown) => {
    throw refusal(err, log);
  });
  const { scrub } = upstream;

  let responseBytes = 0;
  let complete = false;
  const tooLarge = new GatewayError(
    502,
    'model_answer_too_large',
    `The model's answer exceeds this gateway's limit of ${cap} bytes; ask for a shorter answer.`,
  );
  const type = upstream.headers['content-type'];
  const head = { 'content-type': type ?? 'application/json', 'cache-control': 'no-cache' };
  try {
    if ((type ?? '').includes('text/event-stream')) {
      // Relayed line by line as it arrives. What the gateway holds is one line (LineRelay) and what
      // the box has not read yet: past the socket's buffer the upstream is not read on (a box that
      // stops reading stops the upstream), and past `cap` in all the stream is cut, saying why.
      res.writeHead(upstream.status, head);
      const relay = new LineRelay(
        (line) => answer.line(line),
        scrub,
        upstream.forms[0]?.length ?? 0,
      );
      const read = await upstream.relay(async (chunk) => {
        const out = relay.push(chunk);
        if (out && !res.write(out)) await drained(res, signal);
      });
      responseBytes = read.received;
      if (read.truncated) {
        res.end(api.streamError(tooLarge));
        throw tooLarge;
      }
      res.end(relay.end());
    } else {
      // Read whole (capped) before anything is sent: its usage and any echo of the key may sit
      // anywhere in it, and past the cap the box gets a clean error, not a cut answer.
      const read = await upstream.text();
      responseBytes = read.received;
      if (read.truncated) throw tooLarge;
      answer.json(read.text);
      res.writeHead(upstream.status, head);
      res.end(read.text);
    }
    complete = true;
    if (upstream.status >= 200 && upstream.status < 300) {
      const { text, toolCalls } = answer.answer;
      deps.onAnswer?.({
        text: scrub(text),
        toolCalls: toolCalls.map((c) => ({ name: c.name, arguments: scrub(c.arguments) })),
      });
    }
  } catch (err) {
    log.warn(
      { detail: scrub((err as Error).message), aborted: signal.aborted },
      'model answer broken',
    );
    // Leaving the read cancels the upstream body; an answer not yet begun is refused cleanly.
    if (err === tooLarge && !res.headersSent) throw err;
    if (err !== tooLarge) res.destroy();
  } finally {
    const reported = answer.tokens;
    // Errors used no tokens; a success without a usage report (or a broken answer) is estimated.
    const ok = upstream.status >= 200 && upstream.status < 300;
    const tokens =
      reported ?? (ok || !complete ? estimateTokens(payload.length, responseBytes) : 0);
    const total = budget.add(tokens);
    deps.onUsage?.({ tokens, total });
    log.info(
      {
        status: upstream.status,
        tokens,
        estimated: reported === undefined,
        total,
        complete,
        ms: Math.round(performance.now() - started),
      },
      'model call',
    );
  }
}

/** The gateway's answer to a call refused or failed before the model answered. */
function refusal(err: unknown, log: Logger): unknown {
  if (hasCode(err, 'vault_scope'))
    return new GatewayError(403, 'model_credential_scope', (err as Error).message);
  if (!hasCode(err, 'vault_network')) return err;
  // The egress scrubbed the detail: a fetch error can quote the key.
  const detail = (err as Error).message;
  log.warn({ detail }, 'model upstream unreachable');
  return new GatewayError(
    502,
    'upstream_unreachable',
    `The model endpoint could not be reached: ${detail}`,
  );
}

/** Resolves when `res` can take more, is closed, or `signal` ends the call. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done);
  });
}
