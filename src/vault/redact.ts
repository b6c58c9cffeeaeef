// Removing a secret from whatever comes back: the response body and headers may echo it (debug
// endpoints, error pages, reflected query strings). Every encoding the secret could plausibly
// appear in is replaced; a body cut at the size cap also loses any trailing prefix of a secret.
import type { CredentialInfo } from './types.ts';

/** What echoes are replaced with. */
export const REDACTED = '[redacted]';

function encodings(s: string): string[] {
  const b64 = Buffer.from(s, 'utf8').toString('base64');
  return [
    s,
    b64,
    b64.replace(/=+$/, ''),
    Buffer.from(s, 'utf8').toString('base64url'),
    encodeURIComponent(s),
    new URLSearchParams({ v: s }).toString().slice(2),
    JSON.stringify(s).slice(1, -1),
  ];
}

/** Every form of the credential's secret to scrub, longest first (so no form leaves a piece). */
export function secretForms(info: CredentialInfo, secret: string): string[] {
  const parts = [secret];
  if (info.kind === 'basic') {
    const password = secret.slice(secret.indexOf(':') + 1);
    if (password.length > 0) parts.push(password);
  }
  const forms = new Set(parts.flatMap(encodings).filter((f) => f.length > 0));
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replace every occurrence of every form in `text`; with `cut`, also a trailing partial form. */
export function redact(text: string, forms: string[], cut = false): string {
  let out = text;
  for (const f of forms) out = out.split(f).join(REDACTED);
  if (cut) {
    for (const f of forms) {
      for (let k = Math.min(f.length - 1, out.length); k > 0; k--) {
        if (out.endsWith(f.slice(0, k))) {
          out = out.slice(0, out.length - k) + REDACTED;
          break;
        }
      }
    }
  }
  return out;
}
