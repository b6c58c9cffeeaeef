// The scope check every vault request passes before anything touches the network: the agent, the
// URL's scheme and host, the method and the path must all be allowed by the credential. The URL
// checked is the parsed one the request is then sent to, so normalization cannot split them; a path
// a server could read differently from the glob (`..;/`, `%25`, encoded dots) is refused.
import { AirlockError } from '../errors.ts';
import { globMatch } from '../glob.ts';
import { nonCanonicalPath } from '../request-path.ts';
import type { CredentialInfo } from './types.ts';

/** What a scope check looks at. */
export interface ScopedRequest {
  agent: string;
  method: string;
  url: URL;
}

/** True for hostnames that never leave the machine, where plain http is acceptable. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Throw `vault_scope` unless `req` is inside `info`'s scope; the message says which part failed. */
export function checkScope(info: CredentialInfo, req: ScopedRequest): void {
  const { scope, name } = info;
  const refuse = (why: string): never => {
    throw new AirlockError('vault_scope', `Credential "${name}" may not be used here: ${why}.`);
  };
  if (!scope.agents.some((g) => globMatch(g, req.agent)))
    refuse(`agent ${req.agent} is not allowed`);
  const { protocol, hostname, host, pathname } = req.url;
  if (protocol !== 'https:' && !(protocol === 'http:' && isLoopback(hostname))) {
    refuse(`${protocol} is not allowed (https only; plain http only to loopback)`);
  }
  const hostOk = scope.hosts.some((g) => globMatch(g, g.includes(':') ? host : hostname));
  if (!hostOk) refuse(`host ${host} is not allowed`);
  if (!scope.methods.includes(req.method)) refuse(`method ${req.method} is not allowed`);
  const odd = nonCanonicalPath(pathname);
  if (odd) refuse(`path ${pathname} is not allowed: it ${odd}`);
  if (!scope.paths.some((g) => globMatch(g, pathname))) refuse(`path ${pathname} is not allowed`);
}
