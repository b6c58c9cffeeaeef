// Shared pieces of the chat tests: config, a log capture, a local Bot Framework-style key set
// (OpenID metadata + JWKS on 127.0.0.1), a recording proxy, and a card model.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { ApprovalCardModel } from '../../../src/chat/cards.ts';
import { startPlayground, type Playground } from '../../../src/dev/playground.ts';
import { PlaygroundClient } from '../../../src/dev/playground-client.ts';
import { encodeButtonValue, type ButtonValue } from '../../../src/chat/card-buttons.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { createLogger, type Logger } from '../../../src/log.ts';
import { decisionFromClick } from '../../../src/webhook/sdk-clicks.ts';
import {
  startWebhook,
  type StartWebhookOptions,
  type Webhook,
} from '../../../src/webhook/start.ts';
import type { ApprovalDecision } from '../../../workflows/sensitive-action/messages.ts';
import type { PinnedDecision } from '../../../workflows/sensitive-action/request.ts';
import { captureLogger as captureLog } from '../../helpers/log.ts';

/** A config for tests: random webhook port on loopback, a fresh inbox directory, plus `env`. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    AIRLOCK_WEBHOOK_PORT: '0',
    AIRLOCK_INBOX_DIR: mkdtempSync(join(tmpdir(), 'airlock-inbox-')),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    ...env,
  });
}

/**
 * A webhook that logs nothing, on `testConfig(env)`, handing kept decisions to `deliver` (nowhere
 * by default, no Temporal); `extra` sets other options.
 */
export function startQuietWebhook(
  env: Record<string, string>,
  deliver: StartWebhookOptions['deliver'] = () => Promise.resolve(),
  extra: Partial<StartWebhookOptions> = {},
): Promise<Webhook> {
  return startWebhook({
    config: testConfig(env),
    deliver,
    logger: createLogger({ level: 'silent' }),
    ...extra,
  });
}

/** A logger whose JSON lines are kept in `lines`. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const { logger, lines } = captureLog('info');
  return { logger, lines };
}

/** Collects onDecision calls. */
export function decisionSink(): {
  onDecision: (workflowId: string, d: ApprovalDecision) => Promise<void>;
  calls: { workflowId: string; decision: ApprovalDecision }[];
  next: (timeoutMs?: number) => Promise<{ workflowId: string; decision: ApprovalDecision }>;
} {
  const calls: { workflowId: string; decision: ApprovalDecision }[] = [];
  let seen = 0;
  return {
    calls,
    onDecision: (workflowId, decision) => {
      calls.push({ workflowId, decision });
      return Promise.resolve();
    },
    async next(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (calls.length <= seen) {
        if (Date.now() > deadline) throw new Error('no onDecision call arrived');
        await new Promise((r) => setTimeout(r, 20));
      }
      const call = calls[seen];
      seen += 1;
      if (!call) throw new Error('unreachable');
      return call;
    },
  };
}

/** A pending card model for `workflowId`. */
export function cardModel(overrides: Partial<ApprovalCardModel> = {}): ApprovalCardModel {
  return {
    workflowId: 'action:req-1',
    agent: 'coder',
    action: 'Create a GitHub issue',
    method: 'POST',
    host: 'api.github.com',
    path: '/repos/acme/app/issues',
    keyFields: [['title', 'Crash on start']],
    bodyPreview: '{"title":"Crash on start"}',
    rule: 'github-write',
    ruleReason: 'writes to GitHub need a human',
    requestedBy: 'Riley Requester',
    deadline: '2030-01-01T12:00:00.000Z',
    requestHash: 'h-3f2a9c',
    state: 'pending',
    ...overrides,
  };
}

/** Options of a signed test token. */
export interface SignOptions {
  expiresIn?: string | number;
  notBefore?: string | number;
  issuer?: string;
}

/**
 * A Bot Framework-style signing authority on 127.0.0.1: OpenID metadata, JWKS (keys endorsed for
 * msteams, like Bot Framework's, plus one endorsed only for another channel) and signers.
 * `setDown(true)` makes it answer 500; `hits` counts metadata requests.
 */
export async function startKeyServer(): Promise<{
  metadataUrl: string;
  sign: (claims: JWTPayload, opts?: SignOptions) => Promise<string>;
  signWithOtherKey: (claims: JWTPayload) => Promise<string>;
  signWithUnendorsedKey: (claims: JWTPayload) => Promise<string>;
  setDown: (down: boolean) => void;
  hits: () => number;
  close: () => Promise<void>;
}> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const unendorsed = await generateKeyPair('RS256');
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: 'test-key',
    alg: 'RS256',
    use: 'sig',
    endorsements: ['msteams', 'skype'],
  };
  const webchatJwk = {
    ...(await exportJWK(unendorsed.publicKey)),
    kid: 'webchat-key',
    alg: 'RS256',
    use: 'sig',
    endorsements: ['webchat'],
  };
  let base = '';
  let down = false;
  let hits = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/v1/.well-known/openidconfiguration') hits += 1;
    if (down) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(
        JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/v1/keys` }),
      );
    } else res.end(JSON.stringify({ keys: [jwk, webchatJwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const build = (claims: JWTPayload, kid: string, opts: SignOptions) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(opts.issuer ?? 'https://api.botframework.com')
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? '1h');
    return opts.notBefore === undefined ? jwt : jwt.setNotBefore(opts.notBefore);
  };
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    sign: (claims, opts = {}) => build(claims, 'test-key', opts).sign(privateKey),
    signWithOtherKey: (claims) => build(claims, 'test-key', {}).sign(other.privateKey),
    signWithUnendorsedKey: (claims) => build(claims, 'webchat-key', {}).sign(unendorsed.privateKey),
    setDown: (value) => (down = value),
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A forwarding proxy that records each request body it passes on. */
export async function startRecordingProxy(target: () => string): Promise<{
  url: string;
  bodies: string[];
  close: () => Promise<void>;
}> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      }
      fetch(target() + (req.url ?? ''), { method: req.method ?? 'POST', headers, body }).then(
        async (r) => {
          res.writeHead(r.status, {
            'content-type': r.headers.get('content-type') ?? 'text/plain',
          });
          res.end(await r.text());
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** POST JSON (or a raw string) to `url`. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** Wait until `check()` holds, polling every 10 ms; fails naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The pinned decision the card tests show: the demo's large-refund rule, no grants. */
export const largeRefundDecision = {
  rule: 'refunds-large',
  reason: 'large refunds need a human',
  shortHash: 'h1',
  grants: [],
} as unknown as PinnedDecision;

/** Alice's Slack click on a card's approve button whose value is `value`, as the edge reads it. */
export function slackApproveClick(value: ButtonValue) {
  return decisionFromClick({
    actionId: 'approval:approve',
    value: encodeButtonValue(value),
    platform: 'slack',
    raw: { user: { id: 'U1', name: 'alice', team_id: 'T1' }, trigger_id: 'tr-1' },
  });
}

/** Microsoft's Agents Playground in front of a webhook, with a client connected to it. */
export interface PlaygroundView {
  playground: Playground;
  client: PlaygroundClient;
  /** Disconnect the client and stop the Playground. */
  close(): Promise<void>;
}

/** Start the Playground posting to the Teams webhook at `webhookUrl` and connect a client to it. */
export async function startPlaygroundOn(webhookUrl: string): Promise<PlaygroundView> {
  const playground = await startPlayground({ webhookUrl: `${webhookUrl}/api/webhooks/teams` });
  const client = new PlaygroundClient(playground.url);
  const close = async () => {
    client.close();
    await playground.stop();
  };
  try {
    await client.connect();
  } catch (err) {
    await close();
    throw err;
  }
  return { playground, client, close };
}
