// Authenticating the inbox's lines: each line carries an HMAC-SHA256 of its own content, so a line
// written or changed by anyone without the key (a tampered file, a disk shared by mistake) is not
// delivered as a decision. The key is AIRLOCK_INBOX_KEY, or derived from AIRLOCK_PAYLOAD_KEY with
// HKDF, or (neither set: local development) a random key kept beside the inbox file.
import {
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import { writeDurably } from '../../durable-file.ts';
import { isJson } from '../../http.ts';

/** The inbox key `config` selects, or null when it names none (see `inboxKey`). */
export function configuredInboxKey(
  config: Pick<Config, 'AIRLOCK_INBOX_KEY' | 'AIRLOCK_PAYLOAD_KEY'>,
): Buffer | null {
  if (config.AIRLOCK_INBOX_KEY) return Buffer.from(config.AIRLOCK_INBOX_KEY, 'base64');
  if (!config.AIRLOCK_PAYLOAD_KEY) return null;
  const ikm = Buffer.from(config.AIRLOCK_PAYLOAD_KEY, 'base64');
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'airlock inbox line mac v1', 32));
}

/** The key of the inbox in `dir`: configured, or the directory's own (created once, mode 0600). */
export async function inboxKey(dir: string, configured: Buffer | null): Promise<Buffer> {
  if (configured) return configured;
  const file = join(dir, 'inbox.key');
  try {
    await writeDurably(file, randomBytes(32).toString('base64'), 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
}

const prefix = '{"mac":"';
const middle = '","line":';

/** `json` (one JSON value, no newline) wrapped with its MAC, as a line with its newline. */
export function sealLine(key: Buffer, json: string): string {
  return `${prefix}${mac(key, json)}${middle}${json}}\n`;
}

/** What a line holds: its JSON text, or why there is none to trust. */
export type OpenedLine = { json: string } | { failed: 'tampered' | 'torn' };

/**
 * The JSON text a sealed line carries; 'tampered' when its MAC does not match (or it is not a
 * sealed line at all), 'torn' when it does not even parse as JSON (a write cut by a crash).
 */
export function openLine(key: Buffer, line: string): OpenedLine {
  const failed = (): OpenedLine => ({ failed: isJson(line) ? 'tampered' : 'torn' });
  const at = prefix.length + 64;
  if (!line.startsWith(prefix) || line.slice(at, at + middle.length) !== middle) return failed();
  if (!line.endsWith('}')) return failed();
  const json = line.slice(at + middle.length, -1);
  const given = Buffer.from(line.slice(prefix.length, at));
  const expected = Buffer.from(mac(key, json));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return failed();
  return { json };
}

// HMAC with a Buffer key prepares the key anew each time (about 3× the cost of the MAC itself for
// one line); the key object is made once per key.
const secrets = new WeakMap<Buffer, KeyObject>();
const mac = (key: Buffer, text: string): string => {
  let secret = secrets.get(key);
  if (!secret) secrets.set(key, (secret = createSecretKey(key)));
  return createHmac('sha256', secret).update(text).digest('hex');
};
