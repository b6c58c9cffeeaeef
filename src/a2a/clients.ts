// Which external A2A client a request comes from: its bearer token is matched against every
// configured client's (src/config/a2a-tokens.ts parses them), in constant time per token and
// without stopping at the first match, so timing tells nothing about the tokens.
import { timingSafeEqual } from 'node:crypto';
import { tokenDigest, type A2AClient } from '../config/a2a-tokens.ts';

/** The client whose token the `authorization` header carries, or null. */
export function authenticate(
  clients: readonly A2AClient[],
  authorization: string | undefined,
): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return null;
  const presented = tokenDigest(match[1]);
  let found: string | null = null;
  for (const c of clients) if (timingSafeEqual(presented, c.digest)) found ??= c.id;
  return found;
}
