// The body fields a `requested` audit record carries for analysis (`detail.fields`): every scalar
// of the request body under its dotted path ("amount", "beneficiary.iban"), which is what policy
// conditions and grant key fields name. Replaying a request rebuilds its body from them.
import type { FieldValue } from './timelines.ts';

/** The scalar fields of `body` under dotted paths (arrays by index: "items.0.sku"). */
export function bodyFields(body: unknown, prefix = ''): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [k, v] of Object.entries(body) as [string, unknown][]) {
    const key = `${prefix}${k}`;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out[key] = v;
    else Object.assign(out, bodyFields(v, `${key}.`));
  }
  return out;
}
