// The Agents Playground's local development mode, as the chat platforms see it: refused unless it
// is safe (no Teams credentials, not production, a loopback webhook), and an unsigned JWT-shaped
// token for the outbound calls to the Playground's mocked connector. What each inbound request
// must show in this mode is the webhook's (webhook/auth/playground.ts).
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';

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

/** An unsigned JWT-shaped token for outbound calls to the Playground's mocked connector. */
export function playgroundOutboundToken(appId: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: appId, iat: now, exp: now + 3600 })}.`;
}
