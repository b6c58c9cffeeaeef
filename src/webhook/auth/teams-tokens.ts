// Bot Framework sends the same bearer token with every activity until it expires (about an hour),
// so a token's RS256 signature need not be checked again for each of 200 clicks: the claims of a
// token that verified are kept here, keyed by the SHA-256 of the whole token string (header,
// payload and signature: a forged signature is another key), until the token expires. Only tokens
// that verified are put here; the checks that depend on the activity (channelId, serviceurl,
// tenant) are not cached and run for every activity (auth/teams.ts, teams.ts).
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { EndorsedKey } from './teams-keys.ts';

/** A verified token's claims, the key that signed it, and until when it may be used. */
export interface VerifiedToken {
  payload: JWTPayload;
  kid: string;
  /** The signing key at verification: a hit counts only while the key store still holds it. */
  signing: EndorsedKey;
  /** Epoch ms from which the token is expired (its `exp` plus the clock tolerance). */
  expiresAt: number;
}

/** Verified tokens by the SHA-256 of the token string, bounded in number. */
export interface VerifiedTokens {
  /** The entry of `token` if it is there and not expired at `now` (epoch ms); expired ones go. */
  get(token: string, now: number): VerifiedToken | undefined;
  /** Keep a token that verified (`now`: epoch ms, for dropping expired entries when full). */
  put(token: string, entry: VerifiedToken, now: number): void;
  readonly size: number;
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * A cache of at most `max` verified tokens: when full, expired entries are dropped, then the
 * oldest. Only verified tokens get in, so its size is bounded by tokens the platform issued.
 */
export function createVerifiedTokens(max = 256): VerifiedTokens {
  const entries = new Map<string, VerifiedToken>();
  return {
    get(token, now) {
      const id = digest(token);
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (now >= entry.expiresAt) {
        entries.delete(id);
        return undefined;
      }
      return entry;
    },
    put(token, entry, now) {
      if (entries.size >= max) {
        for (const [id, e] of entries) if (now >= e.expiresAt) entries.delete(id);
        const oldest = entries.keys().next();
        if (entries.size >= max && !oldest.done) entries.delete(oldest.value);
      }
      entries.set(digest(token), entry);
    },
    get size() {
      return entries.size;
    },
  };
}
