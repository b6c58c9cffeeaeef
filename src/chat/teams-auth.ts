// Who may call the Teams webhook. Production: a Bot Framework JWT, verified here with jose against
// the keys Bot Framework publishes (OpenID metadata URL configurable, so tests use a local key
// set). Local development: the Agents Playground, which sends no token at all; that mode is
// explicit, loopback-only and refused whenever real credentials or production are configured.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TeamsWebhookVerifier } from '@chat-adapter/teams';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** The issuer of every token the Bot Framework channel service sends to bots. */
export const botFrameworkIssuer = 'https://api.botframework.com';

/** Options of the Bot Framework token verifier. */
export interface BotFrameworkAuthOptions {
  /** Our bot's app id: the token's audience. */
  appId: string;
  /** OpenID metadata document whose `jwks_uri` lists the signing keys. */
  openIdMetadataUrl: string;
  /** Allowed clock skew in seconds (Bot Framework documents 5 minutes). */
  clockToleranceSec?: number;
  logger: Logger;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** Verify `Authorization: Bearer <jwt>` on a Teams activity; resolves the claims or throws. */
export function createBotFrameworkVerifier(options: BotFrameworkAuthOptions): {
  verify: (request: Request, body: string) => Promise<JWTPayload>;
  webhookVerifier: TeamsWebhookVerifier;
} {
  // The key set is resolved once from the metadata and then cached by jose (which refetches on
  // an unknown `kid`, so Microsoft's key rotation needs no restart). A failed lookup is retried
  // on the next request rather than cached.
  let keys: Promise<KeySet> | undefined;
  const keySet = (): Promise<KeySet> => {
    keys ??= loadKeySet(options.openIdMetadataUrl).catch((err: unknown) => {
      keys = undefined;
      throw err;
    });
    return keys;
  };

  async function verify(request: Request, body: string): Promise<JWTPayload> {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header);
    if (!match?.[1])
      throw new AirlockError('teams_unauthorized', 'missing or malformed bearer token');
    const { payload } = await jwtVerify(match[1], await keySet(), {
      issuer: botFrameworkIssuer,
      audience: options.appId,
      algorithms: ['RS256'],
      clockTolerance: options.clockToleranceSec ?? 300,
      requiredClaims: ['exp'],
    });
    const claimed = payload['serviceurl'];
    if (claimed !== undefined) {
      const activityUrl = serviceUrlOf(body);
      if (
        typeof claimed !== 'string' ||
        !activityUrl ||
        trimSlash(claimed) !== trimSlash(activityUrl)
      ) {
        throw new AirlockError(
          'teams_unauthorized',
          'token serviceurl does not match the activity',
        );
      }
    }
    return payload;
  }

  const webhookVerifier: TeamsWebhookVerifier = async (request, body) => {
    try {
      await verify(request, body);
      return true;
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'teams webhook rejected: bad token');
      return false;
    }
  };
  return { verify, webhookVerifier };
}

async function loadKeySet(metadataUrl: string): Promise<KeySet> {
  const res = await fetch(metadataUrl, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new AirlockError('teams_openid', `OpenID metadata: HTTP ${res.status}`);
  const doc = (await res.json()) as { jwks_uri?: unknown };
  if (typeof doc.jwks_uri !== 'string') {
    throw new AirlockError('teams_openid', 'OpenID metadata has no jwks_uri');
  }
  return createRemoteJWKSet(new URL(doc.jwks_uri));
}

function serviceUrlOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { serviceUrl?: unknown };
    return typeof parsed.serviceUrl === 'string' ? parsed.serviceUrl : undefined;
  } catch {
    return undefined;
  }
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
