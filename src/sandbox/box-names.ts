// How an agent box and its workspace volume are named and labelled: only from the session's
// identity (agent, session, workflow, namespace, server), never from anything the box or the agent
// says. Two concurrent ensures so agree on one name, and the orphan sweep reads a box's session
// back from its labels.
import { createHash } from 'node:crypto';
import { AirlockError } from '../errors.ts';
import type { MemoryScope } from '../policy/memory.ts';

/** Which box: the agent, its session and the session's workflow. */
export interface AgentBoxRef {
  agentId: string;
  sessionId: string;
  workflowId: string;
  /** The session's Temporal namespace: the same session id in two namespaces is two boxes. */
  namespace?: string;
  /** The session's Temporal server (its address): two servers on one Docker host never mix. */
  temporal?: string;
}

/** The memory a box mounts: the scope, and for `talker` the person (a stable id) it belongs to. */
export interface BoxMemory {
  scope: MemoryScope;
  /** The session's talker; without one a `talker` scope falls back to the session's own. */
  talker?: string;
}

/** Labels every agent box carries; `cleanupOrphans` and reattach find boxes by them. */
export const boxLabel = {
  agent: 'airlock.agent',
  session: 'airlock.session',
  workflow: 'airlock.workflow',
  namespace: 'airlock.namespace',
  temporal: 'airlock.temporal',
  role: 'airlock.role',
  /** On a workspace volume: `session`, `talker` or `agent`. */
  memory: 'airlock.memory',
} as const;

/** The container name for a box: readable parts plus a hash of the full identity. */
export function agentBoxName(ref: AgentBoxRef): string {
  const hash = createHash('sha256')
    .update(
      [ref.agentId, ref.sessionId, ref.workflowId, ref.namespace, ref.temporal]
        .filter((part) => part !== undefined)
        .join('\0'),
    )
    .digest('hex')
    .slice(0, 12);
  const slug = (s: string, n: number): string => s.replace(/[^a-zA-Z0-9_.-]+/g, '-').slice(0, n);
  return `airlock-box-${slug(ref.agentId, 24)}-${slug(ref.sessionId, 32)}-${hash}`;
}

/** The workspace volume of an agent in the `agent` scope: shared by all its sessions. */
export function workspaceVolumeName(agentId: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(agentId)) {
    throw new AirlockError('sandbox_bad_agent_id', `agent id "${agentId}" cannot name a volume`);
  }
  return `airlock-ws-${agentId}`;
}

/**
 * The workspace volume a box mounts. `session`: its own, named by a hash of the session's full
 * identity (as the box is), so no other session's box ever names it. `talker`: one per person, also
 * per server and namespace. `agent`: the agent's shared volume. A box mounts exactly one volume and
 * the name is made here from the spec, never from anything the box or the agent says.
 */
export function boxWorkspace(spec: AgentBoxRef & { memory?: BoxMemory }): {
  name: string;
  scope: MemoryScope;
} {
  const base = workspaceVolumeName(spec.agentId);
  const scope: MemoryScope =
    spec.memory?.scope === 'talker' && !spec.memory.talker
      ? 'session'
      : (spec.memory?.scope ?? 'session');
  if (scope === 'agent') return { name: base, scope };
  const who =
    scope === 'talker'
      ? ['talker', spec.memory?.talker ?? '', spec.namespace, spec.temporal]
      : ['session', spec.sessionId, spec.workflowId, spec.namespace, spec.temporal];
  const hash = createHash('sha256')
    .update(who.filter((part) => part !== undefined).join('\0'))
    .digest('hex')
    .slice(0, 24);
  return { name: `${base}-${scope === 'talker' ? 't' : 's'}-${hash}`, scope };
}

/** The labels a box carries: its whole identity, so it is found again by them alone. */
export function labelsOf(ref: AgentBoxRef): Record<string, string> {
  return {
    'airlock.managed': 'true',
    [boxLabel.role]: 'agent-box',
    [boxLabel.agent]: ref.agentId,
    [boxLabel.session]: ref.sessionId,
    [boxLabel.workflow]: ref.workflowId,
    ...(ref.namespace ? { [boxLabel.namespace]: ref.namespace } : {}),
    ...(ref.temporal ? { [boxLabel.temporal]: ref.temporal } : {}),
  };
}

/** The box identity its labels name, or undefined when some are missing. */
export function refOf(labels: Record<string, string>): AgentBoxRef | undefined {
  const [agentId, sessionId, workflowId] = [
    boxLabel.agent,
    boxLabel.session,
    boxLabel.workflow,
  ].map((l) => labels[l]);
  if (!agentId || !sessionId || !workflowId) return undefined;
  const namespace = labels[boxLabel.namespace];
  const temporal = labels[boxLabel.temporal];
  return {
    agentId,
    sessionId,
    workflowId,
    ...(namespace ? { namespace } : {}),
    ...(temporal ? { temporal } : {}),
  };
}
