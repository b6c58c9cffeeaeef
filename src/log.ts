// pino JSON logging with secrets redacted by key name, wherever they sit in a logged object or a
// child logger's bindings (log-redact.ts).
import { pino, type Logger } from 'pino';
import { createRedactor } from './log-redact.ts';

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
  'AIRLOCK_AUDIT_KEY',
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

const redact = createRedactor(secretKeys);

/** Create a logger; `destination` defaults to stdout. */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'airlock',
      hooks: {
        // The object a line is logged with (or the Error logged alone), before pino formats it.
        logMethod(args, method) {
          if (typeof args[0] === 'object' && args[0] !== null) args[0] = redact(args[0]);
          return method.apply(this, args);
        },
      },
      formatters: { bindings: (bindings) => redact(bindings) },
    },
    destination,
  );
  // pino applies the bindings formatter to the root's bindings only; children (which inherit
  // this method from the root) have theirs redacted here.
  const proto = Object.getPrototypeOf(logger) as Pick<Logger, 'child'>;
  logger.child = function (this: Logger, bindings, options) {
    return proto.child.call(this, redact(bindings), options);
  } as Logger['child'];
  return logger;
}

export type { Logger };
