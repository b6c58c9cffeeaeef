// How AIRLOCK_A2A_TOKENS names the external A2A clients: each has an id (policy links name it
// `a2a:<id>`) and a bearer token, kept only as its digest. The A2A server authenticates against
// these (src/a2a/clients.ts); the config checks the setting parses.
import { createHash } from 'node:crypto';
import { AirlockError } from '../errors.ts';

/** How AIRLOCK_A2A_TOKENS is written (for config errors). */
export const A2A_TOKENS_FORMAT =
  'must be comma-separated client=token pairs (a client id is a policy id, a token ≥ 24 characters)';

const clientId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An external client's id and its token's digest. */
export interface A2AClient {
  id: string;
  digest: Buffer;
}

/** The digest a token is kept and compared as (sha256). */
export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Parse AIRLOCK_A2A_TOKENS (`client=token,…`); throws `config_invalid` on a bad entry. */
export function parseA2ATokens(text: string): A2AClient[] {
  const clients: A2AClient[] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (!entry) continue;
    const at = entry.indexOf('=');
    const id = entry.slice(0, at);
    const token = entry.slice(at + 1);
    if (at < 1 || !clientId.test(id) || token.length < 24 || /\s/.test(token))
      throw new AirlockError('config_invalid', `AIRLOCK_A2A_TOKENS ${A2A_TOKENS_FORMAT}`);
    if (clients.some((c) => c.id === id))
      throw new AirlockError('config_invalid', `AIRLOCK_A2A_TOKENS names client "${id}" twice`);
    clients.push({ id, digest: tokenDigest(token) });
  }
  return clients;
}
