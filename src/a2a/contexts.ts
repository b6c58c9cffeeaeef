// A2A context ids are the server's, not the client's: a conversation's context (which names the
// A2A "session" that "approve for this session" grants are keyed on) is minted here, bound to the
// client by an HMAC under a key derived from that client's token, and a contextId a client sends
// is accepted only if this server minted it for that client. A client cannot pick a context, so it
// cannot land in a session or grant it was not given, and another client's context id is refused.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { A2AClient } from '../config/a2a-tokens.ts';

/** Mints and checks the context ids of the server's clients. */
export interface ContextIds {
  /** The context id of a new conversation of `client`, seeded by its first task (so a retried send gets the same one). */
  mint(client: string, seed: string): string;
  /** True when `contextId` was minted for `client`. */
  owns(client: string, contextId: string): boolean;
}

const shape = /^([0-9a-f]{32})\.([0-9a-f]{32})$/;

/** Context ids for `clients`, each keyed by a digest of its token (rotating the token ends them). */
export function contextIds(clients: readonly A2AClient[]): ContextIds {
  const keys = new Map(
    clients.map((c) => [
      c.id,
      createHash('sha256').update('airlock-a2a-context\0').update(c.digest).digest(),
    ]),
  );
  const tag = (client: string, nonce: string): Buffer | undefined => {
    const key = keys.get(client);
    if (!key) return undefined;
    return createHmac('sha256', key).update(`${client}\n${nonce}`).digest().subarray(0, 16);
  };
  return {
    mint(client, seed) {
      const nonce = createHash('sha256').update(`${client}\n${seed}`).digest('hex').slice(0, 32);
      const mac = tag(client, nonce);
      if (!mac) throw new Error(`no A2A client "${client}"`);
      return `${nonce}.${mac.toString('hex')}`;
    },
    owns(client, contextId) {
      const m = shape.exec(contextId);
      if (!m?.[1] || !m[2]) return false;
      const mac = tag(client, m[1]);
      return mac !== undefined && timingSafeEqual(mac, Buffer.from(m[2], 'hex'));
    },
  };
}
