// Validation of a credential before any backend stores it. Messages name the field at fault but
// never include the secret, since they end up in CLI output and logs.
import { AirlockError } from '../errors.ts';
import { credentialKinds, type CredentialInput } from './types.ts';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the vault will not set: fetch controls them, or they would change the request's target. */
const reservedHeaders = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'idempotency-key',
]);

function fail(message: string): never {
  throw new AirlockError('vault_invalid', message);
}

/** True when `s` can be sent as an HTTP header value by fetch (Latin-1, no CR, LF or NUL). */
export function isHeaderSafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || c === 0x0a || c === 0x0d || c === 0x00) return false;
  }
  return true;
}

/** Check `input` and return it normalized (lower-case hosts, upper-case methods); throws `vault_invalid`. */
export function validateCredential(input: CredentialInput): CredentialInput {
  const { name, kind, secret, scope } = input;
  if (!namePattern.test(name)) {
    fail(
      'credential name must be 1-64 characters: letters, digits, ".", "_" or "-", not starting with a symbol',
    );
  }
  if (!credentialKinds.includes(kind)) fail(`kind must be one of ${credentialKinds.join(', ')}`);
  if (secret.length === 0) fail(`credential "${name}": the secret is empty`);
  if (kind === 'header') {
    if (!input.headerName || !tokenPattern.test(input.headerName)) {
      fail(`credential "${name}": kind header needs a valid header name (--header-name)`);
    }
    if (reservedHeaders.has(input.headerName.toLowerCase())) {
      fail(`credential "${name}": header ${input.headerName} cannot carry a credential`);
    }
  } else if (input.headerName !== undefined)
    fail(`credential "${name}": a header name is only for kind header`);
  if (kind === 'query') {
    if (!input.paramName)
      fail(`credential "${name}": kind query needs a parameter name (--param-name)`);
  } else if (input.paramName !== undefined)
    fail(`credential "${name}": a parameter name is only for kind query`);
  if (kind === 'basic' && !secret.includes(':')) {
    fail(`credential "${name}": kind basic needs a secret of the form user:password`);
  }
  if ((kind === 'bearer' || kind === 'header') && !isHeaderSafe(secret)) {
    fail(
      `credential "${name}": the secret contains characters not allowed in an HTTP header (line breaks, NUL or non-Latin-1)`,
    );
  }
  if (scope.hosts.length === 0) fail(`credential "${name}": at least one host glob is required`);
  if (scope.hosts.some((h) => h === '' || /[/\s]/.test(h)))
    fail(`credential "${name}": host globs are hostnames like api.example.com or *.example.com`);
  if (scope.methods.length === 0) fail(`credential "${name}": at least one method is required`);
  if (scope.methods.some((m) => !tokenPattern.test(m)))
    fail(`credential "${name}": methods are HTTP method names`);
  if (scope.paths.length === 0) fail(`credential "${name}": at least one path glob is required`);
  if (scope.paths.some((p) => !p.startsWith('/') && !p.startsWith('*'))) {
    fail(`credential "${name}": path globs start with "/" (or "*")`);
  }
  if (scope.agents.some((a) => a === '')) fail(`credential "${name}": agent ids must not be empty`);
  return {
    ...input,
    scope: {
      hosts: scope.hosts.map((h) => h.toLowerCase()),
      methods: scope.methods.map((m) => m.toUpperCase()),
      paths: [...scope.paths],
      agents: [...scope.agents],
    },
  };
}
