// How compound settings are written: zod pieces the settings of every area share (a 0/1 flag, a
// 32-byte base64 key, a postgres:// URL) and a check that a setting's own parser accepts it.
import { z } from 'zod';

/** `1`/`true` or `0`/`false`/empty; unset is false. */
export const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((v) => v === '1' || v === 'true');

/** A 32-byte key, base64-encoded. */
export const base64Key = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes, base64-encoded');

/** A refinement: true when `parse` accepts the value (it throws on a bad one). */
export const parses = (parse: (s: string) => unknown) => (s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

/** `postgres://user:password@host:port/db` (never logged: see src/state/url.ts). */
export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
  .refine(
    parses((s) => new URL(s)),
    'must be a postgres:// URL',
  );
