// The client side of A2A: an Airlock agent asks an external A2A agent (a link `to: a2a:<name>`
// with a card). Every request the SDK's client makes goes through `guardedFetch`: https only
// (plain http to loopback), the vault credential's scope checked and its token injected on each
// request (so a card naming another host gets no token), no redirects, a time limit, and at most
// `maxBytes` of each response read; what comes back is scrubbed of the secret.
import { Role, TaskState, type Message, type Part, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { AirlockError } from '../errors.ts';
import { textPart } from './tasks.ts';
import { injectCredential } from '../vault/inject.ts';
import { redact, secretForms } from '../vault/redact.ts';
import { checkScope, isLoopback } from '../vault/scope.ts';
import type { CredentialInfo } from '../vault/types.ts';

/** How the external agent is reached: its token (if any), for whom, and the limits. */
export interface GuardOptions {
  /** The credential and its secret; null: no token is sent. */
  credential: { info: CredentialInfo; secret: string } | null;
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
  const send = options.fetch ?? fetch;
  const forms = options.credential
    ? secretForms(options.credential.info, options.credential.secret)
    : [];
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
    if (options.credential) {
      const { info, secret } = options.credential;
      checkScope(info, { agent: options.agent, method, url });
      injectCredential(info, secret, url, headers);
    }
    const signals = [AbortSignal.timeout(options.timeoutMs)];
    if (options.signal) signals.push(options.signal);
    if (init?.signal) signals.push(init.signal);
    const response = await send(url, {
      method,
      headers,
      body: init?.body ?? request?.body ?? null,
      redirect: 'manual',
      signal: AbortSignal.any(signals),
    });
    if (response.status >= 300 && response.status < 400)
      throw new AirlockError(
        'a2a_redirect',
        `${url.host} answered ${response.status} (a redirect); redirects are not followed`,
      );
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      throw new AirlockError(
        'a2a_unauthorized',
        `${url.host} refused the request (${response.status}): check the link's credential`,
      );
    }
    const body = redact(await readCapped(response, options.maxBytes, url.host), forms);
    return new Response(response.status === 204 ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' },
    });
  };
}

async function readCapped(response: Response, maxBytes: number, host: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  const tooLarge = () =>
    new AirlockError('a2a_too_large', `${host} sent more than ${maxBytes} bytes in one response`);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
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
