// The one place that reads process.env. A single zod schema describes every setting (its parts by
// area in config/); an invalid or missing value is reported together with every other problem, so
// one run shows them all.
import { z } from 'zod';
import { agentSettings } from './config/agents.ts';
import { chatSettings } from './config/chat.ts';
import { storeSettings } from './config/stores.ts';
import { temporalSettings } from './config/temporal.ts';
import { AirlockError } from './errors.ts';

const schema = z.object({
  // The process itself, its HTTP servers, and the binaries tests and tools start.
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  AIRLOCK_DATA_DIR: z.string().min(1).default('.data'),
  /** Installed by scripts/bootstrap.sh; used by tests and tools that start their own servers. */
  AIRLOCK_TEMPORAL_BIN: z.string().default('.cache/bin/temporal'),
  AIRLOCK_TEST_SERVER_BIN: z.string().default('.cache/bin/temporal-test-server'),
  /** The Chromium binary the browser tests drive (found or installed by scripts/bootstrap.sh). */
  AIRLOCK_CHROMIUM_BIN: z.string().optional(),
  /** Longest wait for a request's headers / whole request on Airlock's HTTP servers (ms). */
  AIRLOCK_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  AIRLOCK_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** PostgreSQL server binaries (initdb, postgres) the tests start a private cluster with. */
  AIRLOCK_PG_BIN_DIR: z.string().min(1).optional(),
  ...temporalSettings,
  ...storeSettings,
  ...chatSettings,
  ...agentSettings,
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
