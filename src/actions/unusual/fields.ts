// What the history comparison keeps of a request: its top-level body fields (numbers as they are,
// strings as a short digest, since equality is all it needs of them; secret-looking and id-like
// fields left out) and the shape of its path (id-like segments as `{id}`, so /orders/812/refund
// and /orders/813/refund are one path).
import { createHash } from 'node:crypto';
import { looksSecret } from '../secret-fields.ts';

/** Fields kept per request, at most. */
export const FIELDS_KEPT = 20;
/** Longest string value compared; longer ones are free text, never "new". */
export const STRING_MAX = 200;

// `id`, `order_id`, `orderId`, `ID`: numbers that identify things are not amounts.
const idName = /(?:^|[_-])id$|[a-z0-9]Id$|ID$/;

/** The comparable fields of `body` (empty unless it is an object). */
export function historyFields(body: unknown): Record<string, number | string> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(body).slice(0, FIELDS_KEPT)) {
    if (looksSecret(name)) continue;
    if (typeof value === 'number' && Number.isFinite(value) && !idName.test(name))
      out[name] = value;
    else if (typeof value === 'string' && value.length <= STRING_MAX) out[name] = digest(value);
  }
  return out;
}

/** The digest a string field is kept as: `s:` and 16 hex characters of its sha256. */
export function digest(value: string): string {
  return `s:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

/** `METHOD /path` with id-like segments (any with a digit, except `v1`-style versions) as `{id}`. */
export function callShape(method: string, path: string): string {
  const clean = path.split(/[?#]/)[0] ?? '';
  const segments = clean.split('/').map((s) => (/\d/.test(s) && !/^v\d+$/i.test(s) ? '{id}' : s));
  return `${method.toUpperCase()} ${segments.join('/')}`;
}
