// Settings of the chat surface: the webhook server, its Chat SDK state, the durable click inbox,
// the Teams bot (or the local Agents Playground) and the Slack app.
import { z } from 'zod';
import { base64Key, flag, postgresUrl } from './formats.ts';

/** The webhook, its state and inbox, Teams and Slack. */
export const chatSettings = {
  AIRLOCK_WEBHOOK_HOST: z.string().default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  AIRLOCK_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Largest webhook body accepted, in bytes (larger requests get 413). */
  AIRLOCK_WEBHOOK_MAX_BODY: z.coerce.number().int().min(1024).max(10_485_760).default(262_144),
  /**
   * Most entries the Chat SDK's state keeps of each kind (dedupe keys, caches; in memory or, per
   * table, in PostgreSQL); oldest go first.
   */
  AIRLOCK_CHAT_STATE_MAX_KEYS: z.coerce.number().int().min(100).max(10_000_000).default(20_000),
  /**
   * The webhook's Chat SDK state in PostgreSQL (`postgres://user:password@host:port/db`), shared by
   * every webhook replica; unset: bounded memory, one replica only. Never logged.
   */
  AIRLOCK_CHAT_STATE_URL: postgresUrl.optional(),
  /** How often expired and surplus rows are deleted from the PostgreSQL chat state (ms). */
  AIRLOCK_CHAT_STATE_SWEEP_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
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
};
