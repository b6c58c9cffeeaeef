// Bot Framework's token signing keys, fetched and cached here rather than by jose: each key carries
// `endorsements` (the channels it may sign for), which jose's remote key set drops. The keys are
// refreshed daily and on an unknown `kid` (at most every 30 s, so random kids cannot make us hammer
// the metadata host); a failed fetch is remembered for a few seconds and answered as "unavailable"
// (503, the platform retries) rather than "unauthorized".
import { importJWK, type JWK } from 'jose';
import { AirlockError } from '../../errors.ts';
import type { Logger } from '../../log.ts';

/** A signing key and the channels it is endorsed for. */
export interface EndorsedKey {
  key: Awaited<ReturnType<typeof importJWK>>;
  endorsements: readonly string[];
}

/** Options of the key store. */
export interface KeyStoreOptions {
  /** OpenID metadata document whose `jwks_uri` lists the signing keys. */
  metadataUrl: string;
  /** Accept only https: metadata and jwks URLs (production). */
  requireHttps: boolean;
  logger: Logger;
  /** How long a failed fetch is remembered before the next attempt (ms, default 5 s). */
  retryAfterMs?: number;
  /** Age after which the keys are fetched again (ms, default 24 h). */
  maxAgeMs?: number;
}

/** Looks up Bot Framework signing keys by `kid`. */
export interface KeyStore {
  /** The key with this id, or undefined when Bot Framework does not publish it. */
  get(kid: string): Promise<EndorsedKey | undefined>;
}

const unknownKidCooldownMs = 30_000;

/** Throw a config error unless `url` is acceptable (https: when `requireHttps`). */
export function assertKeyUrl(url: string, what: string, requireHttps: boolean): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new AirlockError('config_invalid', `${what} is not a URL: ${url}`);
  }
  if (requireHttps ? protocol !== 'https:' : protocol !== 'https:' && protocol !== 'http:') {
    throw new AirlockError(
      'config_invalid',
      `${what} must be an https: URL in production, got ${protocol}`,
    );
  }
}

/** Create a key store for the keys published under `metadataUrl`. */
export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const { metadataUrl, requireHttps, logger } = options;
  const retryAfterMs = options.retryAfterMs ?? 5_000;
  const maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
  assertKeyUrl(metadataUrl, 'AIRLOCK_TEAMS_OPENID_URL', requireHttps);

  let keys: Map<string, EndorsedKey> | undefined;
  let fetchedAt = 0;
  let failedAt = -Infinity;
  let failure: AirlockError | undefined;
  let loading: Promise<void> | undefined;

  // One fetch at a time; concurrent lookups wait for the same one.
  const load = (): Promise<void> =>
    (loading ??= fetchKeys(metadataUrl, requireHttps)
      .then(
        (fresh) => {
          keys = fresh;
          fetchedAt = Date.now();
          failure = undefined;
        },
        (err: unknown) => {
          failedAt = Date.now();
          failure = new AirlockError(
            'teams_keys_unavailable',
            `Bot Framework signing keys unavailable: ${(err as Error).message}`,
            { cause: err },
          );
          logger.error(
            { err: (err as Error).message, metadataUrl, retryAfterMs },
            'Bot Framework OpenID metadata or keys unreachable; Teams requests get 503',
          );
        },
      )
      .finally(() => (loading = undefined)));

  return {
    async get(kid) {
      const now = Date.now();
      const stale = !keys || now - fetchedAt > maxAgeMs;
      const unknown =
        keys !== undefined && !keys.has(kid) && now - fetchedAt > unknownKidCooldownMs;
      if ((stale || unknown) && now - failedAt >= retryAfterMs) await load();
      // Keys we already have stay usable when a refresh fails; without any, callers get 503.
      if (!keys) {
        throw failure ?? new AirlockError('teams_keys_unavailable', 'no signing keys loaded');
      }
      return keys.get(kid);
    },
  };
}

async function fetchKeys(
  metadataUrl: string,
  requireHttps: boolean,
): Promise<Map<string, EndorsedKey>> {
  const doc = await getJson(metadataUrl);
  const jwksUri = (doc as { jwks_uri?: unknown }).jwks_uri;
  if (typeof jwksUri !== 'string') throw new Error('OpenID metadata has no jwks_uri');
  assertKeyUrl(jwksUri, 'the OpenID metadata jwks_uri', requireHttps);
  const list = (await getJson(jwksUri)) as { keys?: unknown };
  if (!Array.isArray(list.keys)) throw new Error('JWKS has no keys array');
  const keys = new Map<string, EndorsedKey>();
  for (const jwk of list.keys as (JWK & { endorsements?: unknown })[]) {
    if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string') continue;
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
    const endorsements = Array.isArray(jwk.endorsements)
      ? jwk.endorsements.filter((e): e is string => typeof e === 'string')
      : [];
    // A key we cannot import is skipped, not fatal: the others still verify.
    const key = await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256').catch(() => null);
    if (key) keys.set(jwk.kid, { key, endorsements });
  }
  return keys;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}
