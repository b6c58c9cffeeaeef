// The one way out through the vault. Every request that leaves with a stored credential (a
// sensitive action, a model call, a question to an external A2A agent) takes the same steps in
// the same order: resolve the credential, check its scope (a refusal comes before any network
// I/O), inject it, send without following redirects, read at most `maxBytes` of the answer, and
// scrub every echo of the secret from what comes back. Nothing it returns or throws holds the secret.
import { AirlockError } from '../errors.ts';
import { readCapped, streamCapped } from '../http.ts';
import { injectCredential } from './inject.ts';
import { redact, secretForms } from './redact.ts';
import { checkScope } from './scope.ts';
import type { CredentialInfo, CredentialStore } from './types.ts';

/** A credential with its secret, as the store resolves it. */
export interface ResolvedCredential {
  info: CredentialInfo;
  secret: string;
}

/** One request out. */
export interface EgressRequest {
  /** The agent on whose behalf it is sent (the credential's scope must allow it). */
  agent: string;
  /** A credential name to resolve from the store, one resolved already, or null: none is sent. */
  credential: string | ResolvedCredential | null;
  /** Upper-case. */
  method: string;
  /** Where it goes; a query credential is added to it. */
  url: URL;
  /** What is sent; the credential is added to them. */
  headers: Headers;
  body?: RequestInit['body'];
  /** Bytes of the answer's body read at most. */
  maxBytes: number;
  /** Ends the exchange, headers or body: a `vault_network` error. */
  signal?: AbortSignal;
  /** Time limit of the whole exchange, body included (ms): past it, a `vault_timeout` error. */
  timeoutMs?: number;
}

/** What egress needs: the store names are resolved in, and the fetch it sends with. */
export interface EgressDeps {
  store?: CredentialStore;
  fetch?: typeof fetch;
}

/** An answer's head; its body is still to be read, once, capped, by one of the three methods. */
export interface EgressAnswer {
  status: number;
  statusText: string;
  /** Every header, each value scrubbed. */
  headers: Record<string, string>;
  /** Set for a 3xx with a Location: redirects are reported, never followed. */
  redirect?: { location: string; sameHost: boolean };
  /** Every form of the secret, longest first (none without a credential). */
  forms: readonly string[];
  /** `text` with every form of the secret replaced; with `cut`, a trailing part of one too. */
  scrub: (text: string, cut?: boolean) => string;
  /** The body as scrubbed text, cut at maxBytes (`truncated` then true). */
  text(): Promise<{ text: string; truncated: boolean; received: number }>;
  /**
   * Each chunk of the body handed to `take` as it arrives, while they fit in maxBytes; `take`
   * scrubs (a server-sent event stream is scrubbed by whole lines).
   */
  relay(
    take: (chunk: Uint8Array) => void | Promise<void>,
  ): Promise<{ truncated: boolean; received: number }>;
  /** Leave the body unread. */
  discard(): Promise<void>;
}

async function resolve(name: string, store: CredentialStore | undefined) {
  const found = await store?.resolve(name);
  if (!found) throw new AirlockError('vault_not_found', `No credential named "${name}".`);
  return found;
}

/** Send `request` the one way out; refuses with `vault_not_found` or `vault_scope` before sending. */
export async function egress(request: EgressRequest, deps: EgressDeps): Promise<EgressAnswer> {
  const { agent, method, url, headers, maxBytes } = request;
  const credential =
    typeof request.credential === 'string'
      ? await resolve(request.credential, deps.store)
      : request.credential;
  if (credential) {
    checkScope(credential.info, { agent, method, url });
    injectCredential(credential.info, credential.secret, url, headers);
  }
  const forms = credential ? secretForms(credential.info, credential.secret) : [];
  const scrub = (text: string, cut = false): string => redact(text, forms, cut);
  const timeout =
    request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs);
  const signal =
    timeout && request.signal
      ? AbortSignal.any([timeout, request.signal])
      : (timeout ?? request.signal);
  // A failure leaves as one error with a scrubbed text: fetch errors can quote a header value or
  // the URL, both of which may hold the secret (so the original is not kept as its cause).
  const failed = (err: unknown): AirlockError => {
    if (err instanceof AirlockError) return err;
    if (timeout?.aborted)
      return new AirlockError('vault_timeout', `timed out after ${request.timeoutMs} ms`);
    const e = err as Error & { cause?: { message?: string } };
    const detail = `${e.message}${e.cause?.message ? `: ${e.cause.message}` : ''}`;
    return new AirlockError('vault_network', scrub(detail));
  };
  const reading = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      throw failed(err);
    }
  };

  const response = await reading(() =>
    (deps.fetch ?? fetch)(url, {
      method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal,
    }),
  );
  const scrubbed: Record<string, string> = {};
  response.headers.forEach((v, k) => (scrubbed[k] = scrub(v)));
  const answer: EgressAnswer = {
    status: response.status,
    statusText: response.statusText,
    headers: scrubbed,
    forms,
    scrub,
    text: () =>
      reading(async () => {
        const { bytes, truncated, received } = await readCapped(response.body, maxBytes);
        return { text: scrub(bytes.toString('utf8'), truncated), truncated, received };
      }),
    relay: (take) =>
      reading(async () => {
        const { truncated, received } = await streamCapped(response.body, maxBytes, take);
        return { truncated, received };
      }),
    discard: async () => {
      // Nothing of it is wanted: a body that cannot even be cancelled changes nothing.
      await response.body?.cancel().catch(() => undefined);
    },
  };
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null) {
    const target = URL.parse(location, url.href);
    answer.redirect = { location: scrub(location), sameHost: target?.host === url.host };
  }
  return answer;
}
