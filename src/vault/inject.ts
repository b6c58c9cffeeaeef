// Putting the secret into the outgoing request. This runs on the host, in the worker's activity,
// after the scope check; the agent in its sandbox never holds the value.
import type { CredentialInfo } from './types.ts';

/** Add the credential to `url` or `headers` (mutating them) according to its kind. */
export function injectCredential(
  info: CredentialInfo,
  secret: string,
  url: URL,
  headers: Headers,
): void {
  switch (info.kind) {
    case 'bearer':
      headers.set('authorization', `Bearer ${secret}`);
      return;
    case 'basic':
      headers.set('authorization', `Basic ${Buffer.from(secret, 'utf8').toString('base64')}`);
      return;
    case 'header':
      headers.set(info.headerName ?? '', secret);
      return;
    case 'query':
      url.searchParams.set(info.paramName ?? '', secret);
      return;
  }
}
