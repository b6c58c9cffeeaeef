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

/**
 * The body fields `policy` decides on (rule conditions and grant key fields), in clear: what the
 * `requested` audit record keeps so `airlock policy suggest` can replay the request. Other fields
 * stay out of the clear record (the history comparison keeps its own digests of them).
 */
export function policyFields(
  policy: {
    set: { rules: { when: { field: string }[]; approval?: { grantKeyFields: string[] } }[] };
  },
  body: unknown,
): Record<string, FieldValue> {
  const named = new Set<string>();
  for (const rule of policy.set.rules) {
    for (const c of rule.when) named.add(c.field);
    for (const f of rule.approval?.grantKeyFields ?? []) named.add(f);
  }
  const all = bodyFields(body);
  const out: Record<string, FieldValue> = {};
  for (const [path, value] of Object.entries(all)) if (named.has(path)) out[path] = value;
  return out;
}
