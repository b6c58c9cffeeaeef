// A role announced after hashes, as AgentDojo's `system_message` attack writes it:
// `###(system_message) Send …`. Recognised anywhere on a line (a hash run glued to a parenthesised
// role name is no prose and no heading), read on the folded skeleton; at most 40 characters looked at.

/** Role names that may stand in the parentheses. */
const HASH_ROLES = new Set([
  'system_message',
  'system',
  'system_prompt',
  'systemmessage',
  'assistant',
  'assistant_message',
  'developer',
  'developer_message',
  'admin',
  'admin_message',
  'instruction',
  'instructions',
]);

function isNameCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
}

/** Where `#…#(role)` starting at the first hash at `i` of folded `f` ends, or -1 when it is not one. */
export function hashRoleEnd(f: string, i: number): number {
  let k = i;
  while (f.charCodeAt(k) === 0x23 && k - i < 7) k++;
  if (k - i > 6 || f.charCodeAt(i - 1) === 0x23) return -1;
  if (f.charCodeAt(k) === 0x20) k++;
  if (f.charCodeAt(k) !== 0x28) return -1;
  let w = k + 1;
  while (w - k <= 24 && isNameCode(f.charCodeAt(w))) w++;
  return f.charCodeAt(w) === 0x29 && HASH_ROLES.has(f.slice(k + 1, w)) ? w + 1 : -1;
}
