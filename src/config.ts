// The one place that reads process.env. A single zod schema describes every setting; an invalid
// or missing value is reported together with every other problem, so one run shows them all.
import { z } from 'zod';
import { A2A_TOKENS_FORMAT, parseA2ATokens } from './a2a/clients.ts';
import { AirlockError } from './errors.ts';
import { parsePrivateKey, parsePublicKeys } from './receipts/keys.ts';

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((v) => v === '1' || v === 'true');
const base64Key = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

const parses = (parse: (s: string) => unknown) => (s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

/** An optional `postgres://` URL (a secret: never logged). */
const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
  .refine(
    parses((s) => new URL(s)),
    'must be a postgres:// URL',
  )
  .optional();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  AIRLOCK_DATA_DIR: z.string().min(1).default('.data'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('airlock'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /** mTLS to the Temporal frontend (production profile): the CA that signed the server's certificate. */
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  /**
   * This process's client certificate and key (PEM), presented to the frontend: the worker's, and
   * any role's without a pair of its own below. The certificate's subject is the role the server
   * grants (deploy/temporal/server/roles.go).
   */
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The webhook's own pair (it may only signal decisions and send messages to sessions). */
  TEMPORAL_TLS_WEBHOOK_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_WEBHOOK_KEY_FILE: z.string().min(1).optional(),
  /** The A2A server's own pair (it may only start and read its exchanges). */
  TEMPORAL_TLS_A2A_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_A2A_KEY_FILE: z.string().min(1).optional(),
  /** The airlock CLI's own pair, an operator's (it may read and cancel). */
  TEMPORAL_TLS_CLI_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CLI_KEY_FILE: z.string().min(1).optional(),
  /** The name the frontend's certificate is issued to, when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Key for encrypting workflow payloads (AES-256-GCM); unset means payloads are stored in clear. */
  AIRLOCK_PAYLOAD_KEY: base64Key.optional(),
  AIRLOCK_PAYLOAD_KEY_ID: z.string().min(1).default('k1'),
  /**
   * Signs every audit record and the log's head (HMAC-SHA256): give it only to the writers (the
   * workers) and the operator who verifies. Unset: derived from AIRLOCK_PAYLOAD_KEY.
   */
  AIRLOCK_AUDIT_KEY: base64Key.optional(),
  DOCKER_HOST: z.string().optional(),
  AIRLOCK_SANDBOX_IMAGE: z.string().min(1).default('airlock-sandbox:latest'),
  AIRLOCK_SANDBOX_MEMORY_MB: z.coerce.number().int().min(16).max(65536).default(256),
  AIRLOCK_SANDBOX_PIDS: z.coerce.number().int().min(8).max(32768).default(128),
  AIRLOCK_POLICY_DIR: z.string().min(1).default('policies'),
  AIRLOCK_VAULT_FILE: z.string().optional(),
  AIRLOCK_VAULT_KEY: base64Key.optional(),
  AIRLOCK_VAULT_KEY_FILE: z.string().optional(),
  /** Older vault keys (comma-separated base64) still accepted for reading records, for rotation. */
  AIRLOCK_VAULT_PREVIOUS_KEYS: z
    .string()
    .refine(
      (s) => s.split(',').every((k) => k.trim() === '' || Buffer.from(k, 'base64').length === 32),
      'each comma-separated key must be 32 bytes, base64-encoded',
    )
    .optional(),
  AIRLOCK_AUDIT_FILE: z.string().optional(),
  /**
   * The production profile's shared state (`postgres://user:password@host:port/db`): the audit log
   * and the vault in PostgreSQL, for workers on several hosts. Unset: files in the data folder.
   * Never logged.
   */
  AIRLOCK_STATE_DB_URL: postgresUrl,
  /**
   * The webhook only: base64 of a PKCS#8 DER Ed25519 private key that signs every approval
   * decision (scripts/gen-decision-keys.ts makes a pair). Unset: decisions go out unsigned.
   */
  AIRLOCK_DECISION_SIGNING_KEY: z
    .string()
    .refine(parses(parsePrivateKey), 'must be a base64 PKCS#8 DER Ed25519 private key')
    .optional(),
  /**
   * Worker, CLI, auditors: comma-separated base64 SPKI DER Ed25519 public keys that approval
   * decisions may be signed with (several during a rotation). Required by a production worker.
   */
  AIRLOCK_DECISION_PUBLIC_KEYS: z
    .string()
    .refine(parses(parsePublicKeys), 'must be comma-separated base64 SPKI DER Ed25519 public keys')
    .optional(),
  AIRLOCK_WEBHOOK_HOST: z.string().default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  AIRLOCK_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** The local model engine's port on 127.0.0.1 (`make demo MODEL=local`). */
  AIRLOCK_LOCAL_MODEL_PORT: z.coerce.number().int().min(1).max(65535).default(4013),
  /** Which local model `make demo MODEL=local` runs: large (1.5B, default) or small (0.5B). */
  AIRLOCK_LOCAL_MODEL: z.enum(['small', 'large']).default('large'),
  /** Where the codec server the Temporal UI decrypts payloads through listens (0: a free port). */
  AIRLOCK_CODEC_HOST: z.string().default('127.0.0.1'),
  AIRLOCK_CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  AIRLOCK_WORKFLOW_BUNDLE: z.string().optional(),
  /**
   * Most workflows the worker keeps in memory between their tasks. A pending approval waits idle
   * for days: it need not stay cached, a click on an evicted one replays its short history.
   */
  AIRLOCK_WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(1_000_000).default(1000),
  /** Installed by scripts/bootstrap.sh; used by tests and tools that start their own servers. */
  AIRLOCK_TEMPORAL_BIN: z.string().default('.cache/bin/temporal'),
  AIRLOCK_TEST_SERVER_BIN: z.string().default('.cache/bin/temporal-test-server'),
  /** The Chromium binary the browser tests drive (found or installed by scripts/bootstrap.sh). */
  AIRLOCK_CHROMIUM_BIN: z.string().optional(),
  /** Longest wait for a request's headers / whole request on Airlock's HTTP servers (ms). */
  AIRLOCK_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  AIRLOCK_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /**
   * Most entries the Chat SDK's state keeps of each kind (dedupe keys, caches; in memory or, per
   * table, in PostgreSQL); oldest go first.
   */
  AIRLOCK_CHAT_STATE_MAX_KEYS: z.coerce.number().int().min(100).max(10_000_000).default(20_000),
  /**
   * The webhook's Chat SDK state in PostgreSQL (`postgres://user:password@host:port/db`), shared by
   * every webhook replica; unset: bounded memory, one replica only. Never logged.
   */
  AIRLOCK_CHAT_STATE_URL: postgresUrl,
  /** How often expired and surplus rows are deleted from the PostgreSQL chat state (ms). */
  AIRLOCK_CHAT_STATE_SWEEP_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** PostgreSQL server binaries (initdb, postgres) the tests start a private cluster with. */
  AIRLOCK_PG_BIN_DIR: z.string().min(1).optional(),
  /** Largest webhook body accepted, in bytes (larger requests get 413). */
  AIRLOCK_WEBHOOK_MAX_BODY: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  /**
   * The webhook's durable click inbox (default `<AIRLOCK_DATA_DIR>/inbox`): clicks are acknowledged
   * once fsynced here, then signalled to Temporal. One webhook process per directory.
   */
  AIRLOCK_INBOX_DIR: z.string().min(1).optional(),
  /**
   * Key authenticating each inbox line (HMAC-SHA256; base64, 32 bytes). Unset: derived from
   * AIRLOCK_PAYLOAD_KEY (HKDF), or, without that either, a random key kept in the inbox directory.
   */
  AIRLOCK_INBOX_KEY: base64Key.optional(),
  /** Clicks kept and not yet handed to Temporal, at most; past it clicks get 503 (retried). */
  AIRLOCK_INBOX_MAX_PENDING: z.coerce.number().int().min(1).default(10_000),
  /** Failed hand-overs of one click (Temporal reachable) before it is moved to dead-letters. */
  AIRLOCK_INBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(20),
  /** Teams bot (Entra app registration) id, password and tenant: production Teams mode. */
  AIRLOCK_TEAMS_APP_ID: z.string().min(1).optional(),
  AIRLOCK_TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  AIRLOCK_TEAMS_TENANT_ID: z.string().min(1).optional(),
  /** Where Bot Framework publishes its token signing keys (OpenID metadata). */
  AIRLOCK_TEAMS_OPENID_URL: z
    .string()
    .url()
    .default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
  /** Pins every outbound Teams call to this connector URL (emulators, gateways). */
  AIRLOCK_TEAMS_API_URL: z.string().url().optional(),
  /** Local development only: accept the Agents Playground's unauthenticated requests. */
  AIRLOCK_TEAMS_PLAYGROUND: flag,
  /** The bot id the Playground's users file declares (outbound activities are sent as it). */
  AIRLOCK_TEAMS_PLAYGROUND_BOT_ID: z
    .string()
    .min(1)
    .default('00000000-0000-0000-0000-00000000b071'),
  /** A Teams conversation to post approval cards into, known before anyone messages the bot. */
  AIRLOCK_TEAMS_CONVERSATION_ID: z.string().min(1).optional(),
  AIRLOCK_TEAMS_SERVICE_URL: z.string().url().optional(),
  AIRLOCK_SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  AIRLOCK_SLACK_BOT_TOKEN: z.string().min(1).optional(),
  AIRLOCK_SLACK_BOT_USER_ID: z.string().min(1).optional(),
  /** Slack Web API base URL (ends with /); a local stand-in in tests. */
  AIRLOCK_SLACK_API_URL: z.string().url().optional(),
  /** A Slack channel id to post approval cards into. */
  AIRLOCK_SLACK_CHANNEL: z.string().min(1).optional(),
  /**
   * The shared secret the codec server requires (bearer token or the `airlock_codec` cookie);
   * scripts/up.sh generates one into .data/env. The codec server refuses to start without it.
   */
  AIRLOCK_CODEC_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /**
   * The A2A server (workers/a2a.ts): where external A2A clients reach the agents a policy link
   * `from: a2a:<client>` lets them ask (loopback by default; 0 picks a free port).
   */
  AIRLOCK_A2A_HOST: z.string().default('127.0.0.1'),
  AIRLOCK_A2A_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** The URL clients reach the A2A server at (Agent Cards name it); default http://host:port. */
  AIRLOCK_A2A_PUBLIC_URL: z.string().url().optional(),
  /**
   * The external A2A clients and their bearer tokens: `client=token,other=token2` (a client id is
   * a policy id; a token at least 24 characters). Without it the A2A server refuses to start.
   */
  AIRLOCK_A2A_TOKENS: z.string().refine(parses(parseA2ATokens), A2A_TOKENS_FORMAT).optional(),
  /** Largest request body an agent may send its gateway, in bytes (larger: 413). */
  AIRLOCK_GATEWAY_MAX_BODY: z.coerce.number().int().min(1024).max(67_108_864).default(4_194_304),
  /** Longest model call through the gateway, streaming included (ms). */
  AIRLOCK_GATEWAY_MODEL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(600_000),
  /** A research agent's web fetch: longest exchange (ms) and most response bytes kept. */
  AIRLOCK_GATEWAY_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  AIRLOCK_GATEWAY_FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(67_108_864)
    .default(1_048_576),
  /** Requests one gateway serves at once (its box's model calls, tools, long-poll); more: 429. */
  AIRLOCK_GATEWAY_MAX_IN_FLIGHT: z.coerce.number().int().min(2).max(1024).default(16),
  /** Largest model answer a gateway passes on, in bytes (a JSON answer is held whole to scrub it). */
  AIRLOCK_GATEWAY_MAX_MODEL_RESPONSE: z.coerce
    .number()
    .int()
    .min(65_536)
    .max(268_435_456)
    .default(16_777_216),
  /** Longest an agent's inbox long-poll is held open (ms). */
  AIRLOCK_GATEWAY_INBOX_MAX_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  /**
   * Where a worker serves Prometheus metrics (`host:port`, route `/metrics`): the Temporal SDK's
   * own and Airlock's (`airlock_*`). Unset: no metrics endpoint.
   */
  AIRLOCK_METRICS_BIND: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
    .optional(),
  /**
   * How often (seconds) a worker with AIRLOCK_METRICS_BIND refreshes its gauges: pending
   * approvals, sessions and sandboxes running (src/temporal/gauges.ts). 0: no gauges.
   */
  AIRLOCK_GAUGES_EVERY_SEC: z.coerce.number().min(0).max(3600).default(30),
  /**
   * This worker's Docker host, named in its host task queue (`<queue>@<host>`): an agent session's
   * turns go to the host its sandbox lives on. Unset: the machine's host name.
   */
  AIRLOCK_HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,60}$/, '1–60 of A-Z a-z 0-9 _ . -')
    .optional(),
  /** Where a worker serves `/healthz` (liveness) and `/readyz` (readiness); unset: nowhere. */
  AIRLOCK_HEALTH_BIND: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9465')
    .optional(),
});

/** Every Airlock setting, parsed and defaulted. */
export type Config = z.infer<typeof schema>;

/** Rules across settings, checked after each one parsed. */
const checked = schema.superRefine((c, ctx) => {
  // A client certificate without its key (or the reverse) cannot be presented.
  for (const role of ['', 'WEBHOOK_', 'A2A_', 'CLI_'] as const) {
    const [cert, key] = [`TEMPORAL_TLS_${role}CERT_FILE`, `TEMPORAL_TLS_${role}KEY_FILE`] as const;
    if (!c[cert] !== !c[key])
      ctx.addIssue({
        code: 'custom',
        path: [c[cert] ? key : cert],
        message: `${cert} and ${key} go together (the client certificate and its key)`,
      });
  }
  // Signing keys fetched over plain http could be swapped by anyone on the path.
  if (c.NODE_ENV === 'production' && !c.AIRLOCK_TEAMS_OPENID_URL.startsWith('https:')) {
    ctx.addIssue({
      code: 'custom',
      path: ['AIRLOCK_TEAMS_OPENID_URL'],
      message: 'must be an https: URL in production',
    });
  }
  // Production stores nothing in clear in Temporal's history: without a payload key every approval
  // request, signal and result would sit readable in the server's database.
  if (c.NODE_ENV === 'production' && !c.AIRLOCK_PAYLOAD_KEY)
    ctx.addIssue({
      code: 'custom',
      path: ['AIRLOCK_PAYLOAD_KEY'],
      message:
        'required when NODE_ENV=production (workflow payloads would be stored in clear); generate one with: openssl rand -base64 32',
    });
});

/** The names of every setting Airlock reads (deploy files are checked against them). */
export const settingNames: readonly string[] = Object.keys(schema.shape);

/** Parse `env` into a Config, or throw one AirlockError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = checked.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new AirlockError(
    'config_invalid',
    `Invalid configuration (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}\nFix the environment variables above and try again.`,
  );
}

/** The raw process environment, for commands that read a named variable (e.g. `--from-env`). */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}

/** Load the config for a process entry point, printing every problem and exiting 2 on failure. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
