// Which fields of a request's body look secret, by name: their values are masked on cards and in
// the CLI, and never compared with earlier requests (unusual/fields.ts). One rule for all three.

const secretName = /pass|secret|token|key|auth|cookie|credential|card.?number|cvv|ssn/i;
/** Whether a body field's name looks secret (its value is masked on cards and never compared). */
export const looksSecret = (name: string): boolean => secretName.test(name);

/** Mask values of secret-looking fields, at any depth. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        secretName.test(k) ? '[redacted]' : maskSecrets(v),
      ]),
    );
  }
  return value;
}

/** Paths of the fields `maskSecrets` masks (e.g. `card.cvv`), at any depth. */
export function maskedNames(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => maskedNames(v, `${prefix}${i}.`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    secretName.test(k) ? [`${prefix}${k}`] : maskedNames(v, `${prefix}${k}.`),
  );
}
