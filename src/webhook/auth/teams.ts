// Who may call the Teams webhook. Production: a Bot Framework JWT, verified here with jose against
// the keys Bot Framework publishes (OpenID metadata URL configurable, so tests use a local key
// set); a token string's signature is checked once and its claims kept until it expires
// (verified-tokens.ts), the activity checks run every time. Local development: the Agents Playground, which sends no token at all; that mode is
// explicit, loopback-only and refused whenever real credentials or production are configured.
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { TeamsWebhookVerifier } from '@chat-adapter/teams';
import type { Config } from '../../config.ts';
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

function serviceUrlOf(body: string): string | undefined {
  const { serviceUrl } = subjectOf(body);
  return typeof serviceUrl === 'string' ? serviceUrl : undefined;
}

function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).hostname : '';
  } catch {
    return '';
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

/** True for hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Throw a clear startup error unless Playground mode is allowed with this config. */
export function assertPlaygroundAllowed(config: Config): void {
  const problems: string[] = [];
  if (config.NODE_ENV === 'production') problems.push('NODE_ENV is production');
  if (
    config.AIRLOCK_TEAMS_APP_ID ||
    config.AIRLOCK_TEAMS_APP_PASSWORD ||
    config.AIRLOCK_TEAMS_TENANT_ID
  ) {
    problems.push('Teams app credentials are configured (AIRLOCK_TEAMS_APP_ID/PASSWORD/TENANT_ID)');
  }
  if (!isLoopbackHost(config.AIRLOCK_WEBHOOK_HOST)) {
    problems.push(
      `the webhook server binds to ${config.AIRLOCK_WEBHOOK_HOST}, not a loopback address`,
    );
  }
  if (problems.length > 0) {
    throw new AirlockError(
      'playground_refused',
      `AIRLOCK_TEAMS_PLAYGROUND=1 accepts unauthenticated Teams requests and is for local development only; refusing because ${problems.join('; ')}.`,
    );
  }
}

/** Accept the Agents Playground's requests: its marker header and a loopback serviceUrl only. */
export function createPlaygroundVerifier(logger: Logger): TeamsWebhookVerifier {
  return (request, body) => {
    const serviceUrl = serviceUrlOf(body);
    const host = hostOf(serviceUrl);
    const ok =
      request.headers.get('x-ms-agents-playground') === 'true' &&
      !request.headers.has('authorization') &&
      isLoopbackHost(host);
    if (ok) logger.warn('PLAYGROUND MODE: accepted an unauthenticated Teams request');
    else logger.warn('teams webhook rejected: not a Playground request');
    return ok;
  };
}

/** An unsigned JWT-shaped token for outbound calls to the Playground's mocked connector. */
export function playgroundOutboundToken(appId: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: appId, iat: now, exp: now + 3600 })}.`;
}
