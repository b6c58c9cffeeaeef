// The client side of A2A: an Airlock agent asks an external A2A agent (a link `to: a2a:<name>`
// with a card). Every request the SDK's client makes goes through `guardedFetch`: https only
// (plain http to loopback), then the vault's one way out (egress.ts), which checks the credential's
// scope and injects its token on each request (so a card naming another host gets no token), sends
// without redirects in a time limit, reads at most `maxBytes` and scrubs the secret from the answer.
import { Role, TaskState, type Message, type Part, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { AirlockError, hasCode } from '../errors.ts';
import { textPart } from './tasks.ts';
import { egress, type ResolvedCredential } from '../vault/egress.ts';
import { isLoopback } from '../vault/scope.ts';

/** How the external agent is reached: its token (if any), for whom, and the limits. */
export interface GuardOptions {
  /** The credential and its secret; null: no token is sent. */
  credential: ResolvedCredential | null;
  /** The asking agent (the credential's scope must allow it). */
  agent: string;
  /** Bytes read of each response at most; more is an error (`a2a_too_large`). */
  maxBytes: number;
  /** Time limit of each request (ms). */
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** A fetch for the SDK's client that enforces `options` on every request. */
export function guardedFetch(options: GuardOptions): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : input instanceof URL ? input.href : input);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(request?.headers);
    new Headers(init?.headers).forEach((v, k) => headers.set(k, v));
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname)))
      throw new AirlockError(
        'a2a_insecure',
        `refusing ${url.protocol}//${url.host}: an external agent is reached over https (plain http only on loopback)`,
      );
    const signals = [AbortSignal.timeout(options.timeoutMs)];
    if (options.signal) signals.push(options.signal);
    if (init?.signal) signals.push(init.signal);
    const response = await egress(
      {
        agent: options.agent,
        credential: options.credential,
        method,
        url,
        headers,
        body: init?.body ?? request?.body ?? null,
        maxBytes: options.maxBytes,
        signal: AbortSignal.any(signals),
      },
      options.fetch ? { fetch: options.fetch } : {},
    ).catch(unreachable);
    if (response.status >= 300 && response.status < 400)
      throw new AirlockError(
        'a2a_redirect',
        `${url.host} answered ${response.status} (a redirect); redirects are not followed`,
      );
    if (response.status === 401 || response.status === 403) {
      await response.discard();
      throw new AirlockError(
        'a2a_unauthorized',
        `${url.host} refused the request (${response.status}): check the link's credential`,
      );
    }
    const tooLarge = () =>
      new AirlockError(
        'a2a_too_large',
        `${url.host} sent more than ${options.maxBytes} bytes in one response`,
      );
    if (Number(response.headers['content-length'] ?? '0') > options.maxBytes) {
      await response.discard();
      throw tooLarge();
    }
    const { text, truncated } = await response.text().catch(unreachable);
    if (truncated) throw tooLarge();
    return new Response(response.status === 204 ? null : text, {
      status: response.status,
      statusText: response.statusText,
      headers: { 'content-type': response.headers['content-type'] ?? 'application/json' },
    });
  };
}

/** A network failure (the egress's `vault_network`) is named as A2A's own, which a retry may fix. */
function unreachable(err: unknown): never {
  if (hasCode(err, 'vault_network'))
    throw new AirlockError('a2a_unreachable', (err as Error).message);
  throw err;
}

/** The SDK's JSON-RPC client for the agent whose card is at `cardUrl`, fetching through `fetchImpl`. */
export function externalClient(cardUrl: string, fetchImpl: typeof fetch): Promise<Client> {
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  return factory.createFromUrl(cardUrl, '');
}

/** A user message carrying `text`, with a messageId the caller derives (a resend is the same). */
export function textMessage(messageId: string, text: string): Message {
  return {
    messageId,
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** Where a task is: still running, answered, or ended without an answer (and why). */
export type TaskOutcome =
  | { kind: 'running' }
  | { kind: 'answered'; text: string }
  | { kind: 'ended'; state: string; reason: string };

const ended: Partial<Record<TaskState, string>> = {
  [TaskState.TASK_STATE_FAILED]: 'failed',
  [TaskState.TASK_STATE_CANCELED]: 'canceled',
  [TaskState.TASK_STATE_REJECTED]: 'rejected',
  [TaskState.TASK_STATE_INPUT_REQUIRED]: 'input-required',
  [TaskState.TASK_STATE_AUTH_REQUIRED]: 'auth-required',
};

/** The outcome of `task`; text is cut at `maxChars` (before the sanitizer sees it). */
export function taskOutcome(task: Task, maxChars: number): TaskOutcome {
  const state = task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
  const status = task.status?.message?.parts ?? [];
  if (state === TaskState.TASK_STATE_COMPLETED) {
    const fromArtifacts = task.artifacts.flatMap((a) => a.parts);
    const parts = fromArtifacts.some(isText) ? fromArtifacts : status;
    return { kind: 'answered', text: textOf(parts, maxChars) };
  }
  const name = ended[state];
  if (!name) return { kind: 'running' };
  const said = textOf(status, maxChars).trim();
  const reason =
    name === 'input-required' || name === 'auth-required'
      ? `it needs input (${name}), which Airlock does not give${said ? `: ${said}` : ''}`
      : `the task was ${name}${said ? `: ${said}` : ''}`;
  return { kind: 'ended', state: name, reason };
}

/** The text of `parts`, cut at `maxChars`, saying how many parts that were not text were dropped. */
export function textOf(parts: Part[], maxChars: number): string {
  const texts = parts.filter(isText).map((p) => (p.content as { value: string }).value);
  const dropped = parts.length - texts.length;
  let text = texts.join('\n');
  if (text.length > maxChars) text = text.slice(0, maxChars);
  return dropped > 0
    ? `${text}\n[${dropped} non-text part${dropped === 1 ? '' : 's'} dropped]`
    : text;
}

const isText = (p: Part): boolean => p.content?.$case === 'text';
