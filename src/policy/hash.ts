// The content hash of a policy set: sha256 over its canonical JSON (src/canonical-json.ts), so the
// same policy gives the same hash wherever it is loaded, and every decision can name the exact
// policy version that made it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';

/** sha256 (hex) of the canonical serialization of `value`. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
