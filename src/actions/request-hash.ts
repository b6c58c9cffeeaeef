// The request hash that binds an approval to the exact request: sha256 over the canonical JSON of
// what will execute. The policy activity pins it, the card shows its start, and a request without
// its own id is started under it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';

/** sha256 (hex) of what will execute: agent, capability, method, path, body (an exchange step's text). */
export function requestHash(r: ActionRequest): string {
  const exact = {
    agent: r.agent,
    capability: r.capability,
    method: r.method.toUpperCase(),
    path: r.path,
    body: r.body ?? null,
    // An exchange step executes nothing: what it lets through is the text, so that is bound.
    ...(r.exchange
      ? {
          exchange: {
            workflowId: r.exchange.workflowId,
            from: r.exchange.from,
            to: r.exchange.to,
            step: r.exchange.step,
            text: r.exchange.text,
          },
        }
      : {}),
  };
  return createHash('sha256').update(canonicalJson(exact)).digest('hex');
}
