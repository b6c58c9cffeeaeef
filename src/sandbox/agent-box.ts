// Long-lived agent sandboxes: one container per session, found again by its labels and name, with
// the same hardening as a one-shot run plus a workspace volume at /workspace (it outlives the
// container), a noexec tmpfs at /tmp and the gateway's socket directory at /gateway. Whose volume
// the box mounts is the agent's memory scope: the session's own (default), its talker's, or the
// agent's (shared by every session). The name is derived from the session, so two concurrent
// ensures race on Docker's name check and both end with the one container that won.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { AirlockError } from '../errors.ts';
import type { MemoryScope } from '../policy/memory.ts';
import { hardenedHostConfig } from './driver.ts';

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

/** Everything needed to create a box (reattaching needs only the ref). */
export interface AgentBoxSpec extends AgentBoxRef {
  limits: { memoryMb: number; cpus: number; pids: number };
  /** Host directory holding the gateway's socket; mounted read-only at /gateway. */
  socketDir: string;
  image: string;
  /** Whose workspace the box mounts; default: the session's own. */
  memory?: BoxMemory;
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

// PID 1 is Docker's init (forwards signals, reaps what the agent's commands leave behind); it runs
// the agent runner, which waits for the gateway's socket and then long-polls it for turns until the
// box is stopped. No restart policy: a runner that dies ends the box, and the next turn ensures it.
const runnerCmd = ['node', '/app/runner.js'];
/** Where the runner finds the gateway: the socket inside the mounted gateway directory. */
export const BOX_GATEWAY_SOCKET = '/gateway/gateway.sock';
const stopGraceSec = 5;
const nameWaitTries = 100; // × 50 ms

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

/** Find the session's box and start it if stopped, or create it; `created` says which. */
export async function ensureAgentBox(
  docker: Docker,
  spec: AgentBoxSpec,
): Promise<{ containerId: string; created: boolean }> {
  const found = await findBox(docker, spec);
  if (found) {
    // A box made from another image (the runner was upgraded), or mounting another workspace (the
    // memory scope changed), is replaced: the workspace volume, and with it the conversation,
    // stays. Between turns the runner holds nothing else.
    const container = docker.getContainer(found);
    const info = await container.inspect();
    const workspace = info.Mounts.find((m) => m.Destination === '/workspace')?.Name;
    if (info.Config.Image === spec.image && workspace === boxWorkspace(spec).name) {
      await startIfStopped(container);
      return { containerId: found, created: false };
    }
    await removeContainer(docker, found);
  }
  await assertSeccompDefault(docker);
  await ensureWorkspace(docker, spec);
  try {
    const container = await docker.createContainer(createOptions(spec));
    await startIfStopped(container);
    return { containerId: container.id, created: true };
  } catch (err) {
    // The other ensure of a concurrent pair created it first: same name, same identity.
    if (statusOf(err) !== 409) throw imageError(err, spec.image);
    const id = await waitForName(docker, agentBoxName(spec));
    await startIfStopped(docker.getContainer(id));
    return { containerId: id, created: false };
  }
}

// Docker reserves a name before the container it names can be inspected, so the loser of a
// create race may see 409 and then 404 for a moment; wait (bounded) for the winner's container.
async function waitForName(docker: Docker, name: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return (await docker.getContainer(name).inspect()).Id;
    } catch (err) {
      if (statusOf(err) !== 404 || i >= nameWaitTries) throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Idle stop: the container is stopped and kept, so the next ensure starts it again. */
export async function stopAgentBox(docker: Docker, ref: AgentBoxRef): Promise<void> {
  const id = await findBox(docker, ref);
  if (!id) return;
  try {
    await docker.getContainer(id).stop({ t: stopGraceSec });
  } catch (err) {
    // 304: already stopped; 404: already gone.
    if (statusOf(err) !== 304 && statusOf(err) !== 404) throw err;
  }
}

/** Remove the session's box (the workspace volume stays); "already gone" is success. */
export async function removeAgentBox(docker: Docker, ref: AgentBoxRef): Promise<void> {
  const id = await findBox(docker, ref);
  if (id) await removeContainer(docker, id);
}

/**
 * Remove the session's own workspace (its `session` memory) once the session is over and its box
 * gone; a talker's or the agent's memory stays. "Already gone" is success.
 */
export async function removeSessionWorkspace(docker: Docker, ref: AgentBoxRef): Promise<void> {
  await removeVolume(docker, boxWorkspace({ ...ref, memory: { scope: 'session' } }).name);
}

/** Remove every workspace volume of an agent, of every scope (an agent taken out, and tests). */
export async function removeAgentWorkspace(docker: Docker, agentId: string): Promise<void> {
  const base = workspaceVolumeName(agentId);
  const { Volumes } = await docker.listVolumes({
    filters: { label: [`${boxLabel.role}=agent-workspace`, `${boxLabel.agent}=${agentId}`] },
  });
  const names = new Set([base, ...(Volumes ?? []).map((v) => v.Name)]);
  for (const name of names) await removeVolume(docker, name);
}

async function removeVolume(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (err) {
    // 404: already gone; 409: a box still mounts it (the session came back): it stays.
    if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
  }
}

/**
 * Remove every agent box whose session `isLive` says is over, with the session's own workspace,
 * and every session workspace left without a box whose session is over; other containers and
 * volumes are never listed. Returns the names of the boxes removed. An error from `isLive` stops the sweep before anything is removed for
 * that box, so a liveness check that cannot answer never kills a live session.
 */
export async function cleanupOrphans(
  docker: Docker,
  isLive: (labels: Record<string, string>) => Promise<boolean>,
): Promise<string[]> {
  const boxes = await docker.listContainers({
    all: true,
    filters: { label: [`${boxLabel.role}=agent-box`] },
  });
  const removed: string[] = [];
  for (const box of boxes) {
    if (await isLive(box.Labels)) continue;
    await removeContainer(docker, box.Id);
    // The session is over: so is its own memory (a talker's or the agent's stays).
    const ref = refOf(box.Labels);
    if (ref) await removeSessionWorkspace(docker, ref);
    removed.push(box.Names[0]?.replace(/^\//, '') ?? box.Id);
  }
  // A session's own workspace whose box is already gone (a session terminated, not closed): judged
  // by the same labels. One still mounted (409) stays.
  const { Volumes } = await docker.listVolumes({
    filters: { label: [`${boxLabel.role}=agent-workspace`, `${boxLabel.memory}=session`] },
  });
  for (const volume of Volumes ?? []) {
    if (await isLive(volume.Labels ?? {})) continue;
    await removeVolume(docker, volume.Name);
  }
  return removed;
}

function labelsOf(ref: AgentBoxRef): Record<string, string> {
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

function refOf(labels: Record<string, string>): AgentBoxRef | undefined {
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

async function findBox(docker: Docker, ref: AgentBoxRef): Promise<string | undefined> {
  const label = Object.entries(labelsOf(ref)).map(([k, v]) => `${k}=${v}`);
  const found = await docker.listContainers({ all: true, filters: { label } });
  return found[0]?.Id;
}

function createOptions(spec: AgentBoxSpec): Docker.ContainerCreateOptions {
  return {
    name: agentBoxName(spec),
    Image: spec.image,
    Cmd: runnerCmd,
    Env: [`AIRLOCK_GATEWAY_SOCKET=${BOX_GATEWAY_SOCKET}`],
    User: '1000:1000',
    WorkingDir: '/workspace',
    Labels: labelsOf(spec),
    NetworkDisabled: true,
    HostConfig: {
      // Network none, read-only root, no capabilities, no-new-privileges, memory, pids, /tmp
      // tmpfs (noexec). No seccomp option is passed, so Docker's default profile applies.
      ...hardenedHostConfig(spec.limits),
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      Init: true,
      Mounts: [
        { Type: 'volume', Source: boxWorkspace(spec).name, Target: '/workspace' },
        { Type: 'bind', Source: spec.socketDir, Target: '/gateway', ReadOnly: true },
      ],
    },
  };
}

async function ensureWorkspace(docker: Docker, spec: AgentBoxSpec): Promise<void> {
  // Creating an existing volume returns it; the image's /workspace (owned by uid 1000) is copied
  // into a new one on first mount, so the agent can write to it.
  const { name, scope } = boxWorkspace(spec);
  await docker.createVolume({
    Name: name,
    Labels: {
      'airlock.managed': 'true',
      [boxLabel.role]: 'agent-workspace',
      [boxLabel.agent]: spec.agentId,
      [boxLabel.memory]: scope,
      // A session's own workspace names its session, so the orphan sweep can tell when it is over.
      ...(scope === 'session'
        ? {
            [boxLabel.session]: spec.sessionId,
            [boxLabel.workflow]: spec.workflowId,
            ...(spec.namespace ? { [boxLabel.namespace]: spec.namespace } : {}),
            ...(spec.temporal ? { [boxLabel.temporal]: spec.temporal } : {}),
          }
        : {}),
    },
  });
}

// Refuse to create a box on an engine that would run it without a seccomp filter.
async function assertSeccompDefault(docker: Docker): Promise<void> {
  const info = (await docker.info()) as { SecurityOptions?: string[] };
  const seccomp = (info.SecurityOptions ?? []).find((o) => o.startsWith('name=seccomp'));
  if (!seccomp || /profile=unconfined/.test(seccomp)) {
    throw new AirlockError(
      'sandbox_no_seccomp',
      `the Docker engine has no seccomp profile in force (${seccomp ?? 'none'}); agent boxes need it`,
    );
  }
}

async function startIfStopped(container: Docker.Container): Promise<void> {
  const state = (await container.inspect()).State;
  if (state.Running && !state.Paused) return;
  try {
    if (state.Paused) await container.unpause();
    else await container.start();
  } catch (err) {
    // 304: a concurrent ensure started it first.
    if (statusOf(err) !== 304) throw err;
  }
}

async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true });
  } catch (err) {
    // 404: gone; 409: removal already in progress.
    if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
  }
}

function imageError(err: unknown, image: string): unknown {
  if (statusOf(err) !== 404) return err;
  return new AirlockError(
    'sandbox_image_missing',
    `sandbox image ${image} not found; run 'make up'`,
    {
      cause: err,
    },
  );
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}
