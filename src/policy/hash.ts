// The content hash of a policy set: sha256 over a canonical JSON serialization (object keys
// sorted at every level, arrays in order), so the same policy gives the same hash wherever it
// is loaded, and every decision can name the exact policy version that made it.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; undefined properties are left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${entries.join(',')}}`;
}

/** sha256 (hex) of the canonical serialization of `value`. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
