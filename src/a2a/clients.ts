// The external A2A clients Airlock knows: each has an id (policy links name it `a2a:<id>`) and a
// bearer token (AIRLOCK_A2A_TOKENS). A request is matched against every token, in constant time
// per token and without stopping at the first match, so timing tells nothing about the tokens.
import { createHash, timingSafeEqual } from 'node:crypto';
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

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

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
    clients.push({ id, digest: digest(token) });
  }
  return clients;
}

/** The client whose token the `authorization` header carries, or null. */
export function authenticate(
  clients: readonly A2AClient[],
  authorization: string | undefined,
): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return null;
  const presented = digest(match[1]);
  let found: string | null = null;
  for (const c of clients) if (timingSafeEqual(presented, c.digest)) found ??= c.id;
  return found;
}
