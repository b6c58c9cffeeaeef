// The verified-token cache of the Bot Framework verifier, against a local key server (OpenID
// metadata + JWKS over HTTP): a token's signature is checked once, and everything a cached token
// must still pass is checked again for each activity: its expiry, the activity's serviceUrl and
// channelId, and that nothing but the exact token string that verified is taken from the cache.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createBotFrameworkVerifier } from '../../../../src/webhook/auth/teams.ts';
import { hasCode } from '../../../../src/errors.ts';
import { createLogger } from '../../../../src/log.ts';
import { startKeyServer } from '../../chat/helpers.ts';

const appId = 'airlock-cache-test-app';
const serviceUrl = 'https://smba.trafficmanager.net/amer/';
const activity = { serviceUrl, channelId: 'msteams' };
const claims = { aud: appId, serviceurl: serviceUrl };
let keys: Awaited<ReturnType<typeof startKeyServer>>;

before(async () => {
  keys = await startKeyServer();
});
after(async () => {
  await keys?.close();
});

/** A verifier with a clock the test moves (epoch ms). */
function verifierAt(start: number, clockToleranceSec = 300) {
  const clock = { now: start };
  const auth = createBotFrameworkVerifier({
    appId,
    openIdMetadataUrl: keys.metadataUrl,
    clockToleranceSec,
    logger: createLogger({ level: 'silent' }),
    now: () => clock.now,
  });
  return { auth, clock };
}

const unauthorized = (e: unknown): boolean => hasCode(e, 'teams_unauthorized');
const bearer = (token: string): string => `Bearer ${token}`;

test('a token is verified once; the activities after it are served from the cache', async () => {
  const { auth } = verifierAt(Date.now());
  const token = await keys.sign(claims);
  for (let i = 0; i < 50; i++) {
    const payload = await auth.verifyToken(bearer(token), activity);
    assert.equal(payload['serviceurl'], serviceUrl);
  }
  assert.equal(auth.signatureChecks(), 1);
  // A second token is a second check.
  await auth.verifyToken(bearer(await keys.sign({ ...claims, jti: 'another' })), activity);
  assert.equal(auth.signatureChecks(), 2);
});

test('a token that fails verification is never cached', async () => {
  const { auth } = verifierAt(Date.now());
  const forged = await keys.signWithOtherKey(claims);
  for (let i = 0; i < 3; i++) {
    await assert.rejects(auth.verifyToken(bearer(forged), activity), unauthorized);
  }
  assert.equal(auth.signatureChecks(), 3, 'each attempt checked its signature again');
  // The header and payload of a token that verified, with another signature, are another token.
  const real = await keys.sign(claims);
  await auth.verifyToken(bearer(real), activity);
  const [header, payload] = real.split('.');
  const otherSignature = forged.split('.')[2] ?? '';
  const spliced = `${header}.${payload}.${otherSignature}`;
  await assert.rejects(auth.verifyToken(bearer(spliced), activity), unauthorized);
  await assert.rejects(auth.verifyToken(bearer(`${header}.${payload}.`), activity), unauthorized);
  // The real one still is accepted, from the cache.
  const checks = auth.signatureChecks();
  await auth.verifyToken(bearer(real), activity);
  assert.equal(auth.signatureChecks(), checks);
});

/** A verifier with clock tolerance `toleranceSec` that has cached a token expiring (`exp`, in seconds) a minute from now. */
async function cachedToken(toleranceSec: number) {
  const start = Date.now();
  const { auth, clock } = verifierAt(start, toleranceSec);
  const exp = Math.floor(start / 1000) + 60;
  const token = await keys.sign(claims, { expiresIn: exp });
  await auth.verifyToken(bearer(token), activity);
  return { auth, clock, exp, token };
}

test('an expired cached token is refused', async () => {
  const { auth, clock, exp, token } = await cachedToken(0);
  clock.now = (exp - 1) * 1000;
  await auth.verifyToken(bearer(token), activity);
  assert.equal(auth.signatureChecks(), 1);
  clock.now = exp * 1000;
  await assert.rejects(auth.verifyToken(bearer(token), activity), unauthorized);
  clock.now = (exp + 3600) * 1000;
  await assert.rejects(auth.verifyToken(bearer(token), activity), unauthorized);
});

test('a cached token keeps the clock tolerance, and not a second more', async () => {
  const { auth, clock, exp, token } = await cachedToken(300);
  clock.now = (exp + 299) * 1000;
  await auth.verifyToken(bearer(token), activity);
  clock.now = (exp + 300) * 1000;
  await assert.rejects(auth.verifyToken(bearer(token), activity), unauthorized);
});

test("a cached token is refused for another activity's serviceUrl or channel", async () => {
  const { auth } = verifierAt(Date.now());
  const token = await keys.sign(claims);
  await auth.verifyToken(bearer(token), activity);
  const others = [
    { ...activity, serviceUrl: 'https://evil.example/' },
    { ...activity, serviceUrl: undefined },
    { ...activity, channelId: 'webchat' },
  ];
  for (const other of others) {
    await assert.rejects(auth.verifyToken(bearer(token), other), unauthorized);
  }
  assert.equal(auth.signatureChecks(), 1, 'refused from the cache, without a new check');
  // The same token for its own serviceUrl (any trailing slash or case) is still fine.
  await auth.verifyToken(bearer(token), { ...activity, serviceUrl: serviceUrl.toUpperCase() });
});
