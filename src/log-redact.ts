// Redacting secrets by key name in what is logged, before pino formats it. pino's own path-based
// redaction ran every logged value through 88 wildcard paths, about 85 µs a line even when there
// was nothing to hide; the webhook logs a line per click. This walk returns the logged object
// itself when no key in it is a secret (nearly always, ~1 µs), and a copy with those values
// censored otherwise; the caller's object is never changed.

/** What a secret's value is replaced with. */
export const censor = '[redacted]';

/** Keys deeper than this are not looked at (pino's paths went three levels down; this is more). */
const maxDepth = 8;

/** A redactor for the key names in `secretKeys`. */
export function createRedactor(secretKeys: readonly string[]): <T>(value: T) => T {
  const secret = new Set(secretKeys);
  const walkable = (v: unknown, depth: number): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && depth <= maxDepth && !ArrayBuffer.isView(v);

  function hasSecret(v: unknown, depth: number): boolean {
    if (!walkable(v, depth)) return false;
    for (const k of Object.keys(v)) if (secret.has(k) || hasSecret(v[k], depth + 1)) return true;
    return false;
  }

  function redact(v: unknown, depth: number): unknown {
    if (!walkable(v, depth) || !hasSecret(v, depth)) return v;
    if (Array.isArray(v)) return v.map((x: unknown) => redact(x, depth + 1));
    const out: Record<string, unknown> = v instanceof Error ? errorShell(v) : {};
    for (const k of Object.keys(v)) out[k] = secret.has(k) ? censor : redact(v[k], depth + 1);
    return out;
  }

  return <T>(value: T): T => redact(value, 0) as T;
}

/**
 * An Error to copy `err`'s enumerable fields onto: same prototype (so it is still logged as an
 * error of its type) and the same message, stack and cause, not enumerable, as on the original.
 */
function errorShell(err: Error): Record<string, unknown> {
  const shell = Object.create(Object.getPrototypeOf(err) as object) as Record<string, unknown>;
  for (const k of ['name', 'message', 'stack', 'cause']) {
    // Read through the original: V8's `stack` is an accessor that only works on the error itself.
    if (Object.hasOwn(err, k)) {
      const value: unknown = err[k as keyof Error];
      Object.defineProperty(shell, k, { value, writable: true, configurable: true });
    }
  }
  return shell;
}
