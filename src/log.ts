// pino JSON logging with secrets redacted by key name, wherever they sit in a logged object.
import { pino, type Logger } from 'pino';

const secretKeys = [
  'password',
  'secret',
  'token',
  'apiKey',
  'authorization',
  'Authorization',
  'cookie',
  'credential',
  'AIRLOCK_VAULT_KEY',
  'AIRLOCK_VAULT_PREVIOUS_KEYS',
  'AIRLOCK_PAYLOAD_KEY',
  'AIRLOCK_DECISION_SIGNING_KEY',
  'AIRLOCK_INBOX_KEY',
  'AIRLOCK_TEAMS_APP_PASSWORD',
  'AIRLOCK_SLACK_SIGNING_SECRET',
  'AIRLOCK_SLACK_BOT_TOKEN',
  'AIRLOCK_CODEC_TOKEN',
  // A postgres:// URL carries its password (the chat state, the shared state; pg's option name).
  'AIRLOCK_CHAT_STATE_URL',
  'AIRLOCK_STATE_DB_URL',
  'connectionString',
];

/** Paths pino redacts: each secret key at the top level and up to three levels deep. */
export const redactPaths = secretKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

/** Create a logger; `destination` defaults to stdout. */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'airlock',
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    destination,
  );
}

export type { Logger };
