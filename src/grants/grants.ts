// Grants: standing approvals kept as grantWorkflow runs (`grant:<key>`). The key is a hash of what
// must be identical for a later request to be covered (agent, capability, method, rule, the
// policy's grant key fields, and for session grants the session), so a lookup is one describe and
// one query by id: strongly consistent, no search index involved.
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { canonicalJson } from '../canonical-json.ts';
import {
  grantStatusQuery,
  revokeGrantSignal,
  type GrantStatus,
} from '../../workflows/grant/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';

/** The values of `fields` (dotted paths) in `body`. */
export function keyFieldValues(body: unknown, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    let v: unknown = body;
    for (const part of field.split('.'))
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    out[field] = v ?? null;
  }
  return out;
}

/** The grant ids a request could be covered by: one for a duration grant, one for its session. */
export function grantIds(
  request: ActionRequest,
  rule: string,
  fields: string[],
): { duration: string; session: string | null } {
  const base = {
    agent: request.agent,
    capability: request.capability,
    method: request.method.toUpperCase(),
    rule,
    fields: keyFieldValues(request.body, fields),
  };
  const id = (extra: object) =>
    `grant:${createHash('sha256')
      .update(canonicalJson({ ...base, ...extra }))
      .digest('hex')
      .slice(0, 32)}`;
  return {
    duration: id({ kind: 'duration' }),
    session: request.sessionId ? id({ kind: 'session', session: request.sessionId }) : null,
  };
}

/**
 * An active grant, the workflow that started it (its parent; null when a client did) and that
 * workflow's run.
 */
export type ActiveGrant = GrantStatus & { startedBy: string | null; startedByRun: string | null };

/** Finding, listing and revoking grants. */
export interface Grants {
  /** The first of `ids` that is an active grant, or null; see verify.ts before trusting it. */
  active(ids: string[]): Promise<ActiveGrant | null>;
  list(): Promise<GrantStatus[]>;
  /** Revoke grant `id`; false when there is no such active grant. */
  revoke(id: string, by: string): Promise<boolean>;
}

/**
 * Grants backed by grantWorkflow runs on Temporal. `list` shows the grants of `taskQueue` (this
 * deployment's workers, which answer their status queries) when given, else every one.
 */
export function temporalGrants(client: Client, taskQueue?: string): Grants {
  const status = async (id: string): Promise<ActiveGrant | null> => {
    let startedBy: string | null;
    let startedByRun: string | null;
    try {
      const described = await client.workflow.getHandle(id).describe();
      if (described.status.name !== 'RUNNING') return null;
      startedBy = described.parentExecution?.workflowId ?? null;
      startedByRun = described.parentExecution?.runId ?? null;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
    // A grant whose status cannot be read right now (no worker answers its query) covers
    // nothing: the request asks for approval instead. Failing towards asking is the safe side.
    return client.workflow
      .getHandle(id)
      .query(grantStatusQuery)
      .then((s) => ({ ...s, startedBy, startedByRun }))
      .catch(() => null);
  };
  return {
    async active(ids) {
      for (const id of ids) {
        const s = await status(id);
        if (s?.active) return s;
      }
      return null;
    },
    async list() {
      const found: GrantStatus[] = [];
      for await (const w of client.workflow.list({
        query: `WorkflowType = "grantWorkflow" AND ExecutionStatus = "Running"${taskQueue ? ` AND TaskQueue = "${taskQueue.replaceAll('"', '')}"` : ''}`,
      })) {
        const s = await status(w.workflowId);
        if (s) found.push(s);
      }
      return found;
    },
    async revoke(id, by) {
      const s = await status(id);
      if (!s?.active) return false;
      await client.workflow.getHandle(id).signal(revokeGrantSignal, { by });
      return true;
    },
  };
}
