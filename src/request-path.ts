// The one rule for the path of a request that runs with a credential, used by the policy (before
// any rule matches) and by the vault (on the URL it is about to send): a path that a server could
// read differently from how a glob reads it is refused, never matched.
/**
 * Why `path` cannot be matched safely, or null. Dot segments, encoded dots, slashes or backslashes,
 * `%25` (a second round of decoding), `;` (Tomcat and others read `..;/` as `../` and drop what
 * follows `;`), empty segments, queries and control characters are refused: a glob like
 * `/refunds/**` must not let `/refunds/..;/admin` through, and what is approved must be exactly
 * what runs.
 */
export function nonCanonicalPath(path: string): string | null {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (/[?#]/.test(path)) return 'must not have a query or fragment (send parameters in the body)';
  if (/[\s\\]/.test(path) || [...path].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f')) {
    return 'must not contain spaces, backslashes or control characters';
  }
  if (path.includes(';')) return 'must not contain ";" (some servers read "..;/" as "../")';
  if (/%25/.test(path)) return 'must not contain "%25" (an encoded "%" is decoded twice by some)';
  if (/%(2e|2f|5c)/i.test(path)) return 'must not contain encoded dots or slashes';
  const segments = path.split('/').slice(1);
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1))) {
    return 'must not contain "." or ".." or empty segments';
  }
  return null;
}
