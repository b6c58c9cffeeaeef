// Who may call the Teams webhook in production: a Bot Framework JWT, verified here with jose
// against the keys Bot Framework publishes (teams-keys.ts; OpenID metadata URL configurable, so
// tests use a local key set). A token string's signature is checked once and its claims kept until
// it expires (teams-tokens.ts); the activity checks run every time. The Agents Playground's local
// mode, which sends no token at all, is playground.ts.
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { TeamsWebhookVerifier } from '@chat-adapter/teams';
import { AirlockError, hasCode } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { createKeyStore } from './teams-keys.ts';
import { createVerifiedTokens } from './teams-tokens.ts';

/** The issuer of every token the Bot Framework channel service sends to bots. */
export const botFrameworkIssuer = 'https://api.botframework.com';

/** The only channel Airlock's Teams webhook serves. */
export const teamsChannelId = 'msteams';

/** Options of the Bot Framework token verifier. */
export interface BotFrameworkAuthOptions {
  /** Our bot's app id: the token's audience. */
  appId: string;
  /** OpenID metadata document whose `jwks_uri` lists the signing keys. */
  openIdMetadataUrl: string;
  /** Accept only https: metadata and key URLs (set in production). */
  requireHttps?: boolean;
  /** Allowed clock skew in seconds (Bot Framework documents 5 minutes). */
  clockToleranceSec?: number;
  /** How long an unreachable metadata host is left alone (ms, default 5 s). */
  retryAfterMs?: number;
  logger: Logger;
  /** The clock (epoch ms; tests move it): token validity and the verified-token cache. */
  now?: () => number;
}

/** The activity fields a token is checked against. */
export interface TokenSubject {
  serviceUrl: unknown;
  channelId: unknown;
}

/** Verifies Bot Framework tokens on Teams activities. */
export interface BotFrameworkVerifier {
  /** verifyToken with the request's Authorization header and the activity in `body`. */
  verify: (request: Request, body: string) => Promise<JWTPayload>;
  /**
   * Verify `Authorization: Bearer <jwt>` for `activity`; resolves the claims or throws AirlockError
   * `teams_unauthorized` (answer 401) or `teams_keys_unavailable` (answer 503).
   */
  verifyToken: (authorization: string | undefined, activity: TokenSubject) => Promise<JWTPayload>;
  /** verify as the Teams adapter's webhook verifier: true or false (and logged). */
  webhookVerifier: TeamsWebhookVerifier;
  /** How many token signatures were checked (tokens verified, not served from the cache). */
  signatureChecks(): number;
}

/** A Bot Framework token verifier over the keys published at `openIdMetadataUrl`. */
export function createBotFrameworkVerifier(options: BotFrameworkAuthOptions): BotFrameworkVerifier {
  const now = options.now ?? Date.now;
  const clockToleranceSec = options.clockToleranceSec ?? 300;
  const verified = createVerifiedTokens();
  let signatureChecks = 0;
  const keys = createKeyStore({
    metadataUrl: options.openIdMetadataUrl,
    requireHttps: options.requireHttps ?? false,
    logger: options.logger,
    ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
  });
  const refuse = (why: string): never => {
    throw new AirlockError('teams_unauthorized', why);
  };

  async function verifyToken(
    authorization: string | undefined,
    activity: TokenSubject,
  ): Promise<JWTPayload> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(
      authorization ?? '',
    );
    const token = match?.[1] ?? refuse('missing or malformed bearer token');
    if (activity.channelId !== teamsChannelId) refuse('activity channelId is not msteams');
    const payload = await claimsOf(token);
    // The claim is required (as Microsoft's validator does): without it a token would vouch for
    // any connector URL, and the bot would send its replies, with its credentials, there.
    const claimed = payload['serviceurl'];
    if (
      typeof claimed !== 'string' ||
      typeof activity.serviceUrl !== 'string' ||
      trimSlash(claimed) !== trimSlash(activity.serviceUrl)
    ) {
      refuse('token serviceurl does not match the activity');
    }
    return payload;
  }

  /** The claims of a token that verifies (signature, key, issuer, audience, times). */
  async function claimsOf(token: string): Promise<JWTPayload> {
    const at = now();
    const known = verified.get(token, at);
    // A hit counts only while the key that signed it is still published (not rotated away).
    if (known && (await keys.get(known.kid)) === known.signing) return known.payload;
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch {
      refuse('malformed token header');
    }
    if (typeof kid !== 'string') refuse('token has no kid');
    const signing = (await keys.get(kid as string)) ?? refuse('token signed by an unknown key');
    // Microsoft's EndorsementsValidator: the key must be endorsed for the activity's channel.
    if (!signing.endorsements.includes(teamsChannelId)) {
      refuse('signing key is not endorsed for msteams');
    }
    signatureChecks++;
    const { payload } = await jwtVerify(token, signing.key, {
      issuer: botFrameworkIssuer,
      audience: options.appId,
      algorithms: ['RS256'],
      clockTolerance: clockToleranceSec,
      currentDate: new Date(at),
      requiredClaims: ['exp', 'serviceurl'],
    }).catch((err: unknown) => refuse(`token rejected: ${(err as Error).message}`));
    // exp is required and checked above; jose accepts a token until exp + tolerance.
    const expiresAt = ((payload.exp as number) + clockToleranceSec) * 1000;
    // Frozen: the same claims object is handed out for every later activity with this token.
    verified.put(
      token,
      { payload: Object.freeze(payload), kid: kid as string, signing, expiresAt },
      at,
    );
    return payload;
  }

  const verify = (request: Request, body: string): Promise<JWTPayload> =>
    verifyToken(request.headers.get('authorization') ?? undefined, subjectOf(body));

  const webhookVerifier: TeamsWebhookVerifier = async (request, body) => {
    try {
      await verify(request, body);
      return true;
    } catch (err) {
      const unavailable = hasCode(err, 'teams_keys_unavailable');
      options.logger.warn(
        { err: (err as Error).message },
        unavailable
          ? 'teams webhook rejected: keys unavailable'
          : 'teams webhook rejected: bad token',
      );
      return false;
    }
  };
  return { verify, verifyToken, webhookVerifier, signatureChecks: () => signatureChecks };
}

function subjectOf(body: string): TokenSubject {
  try {
    const parsed = JSON.parse(body) as Partial<TokenSubject> | null;
    return { serviceUrl: parsed?.serviceUrl, channelId: parsed?.channelId };
  } catch {
    return { serviceUrl: undefined, channelId: undefined };
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}
