// Slack request signing, verified by Airlock itself (the same check the Slack adapter makes with a
// signing secret), so the webhook can verify a click before it is acknowledged, and hand the Slack
// adapter this verifier instead of the secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Verify `v0=` HMAC-SHA256 of `v0:<timestamp>:<body>`, with the timestamp within `toleranceSec`. */
export function createSlackVerifier(
  signingSecret: string,
  toleranceSec = 300,
  now: () => number = Date.now,
): (request: Request, body: string) => boolean {
  return (request, body) => {
    const timestamp = request.headers.get('x-slack-request-timestamp') ?? '';
    const signature = request.headers.get('x-slack-signature') ?? '';
    const seconds = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() / 1000 - seconds) > toleranceSec) {
      return false;
    }
    const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const a = Buffer.from(signature);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  };
}
