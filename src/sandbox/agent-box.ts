// Long-lived agent sandboxes: one container per session, found again by its labels and name, with
// the same hardening as a one-shot run plus a workspace volume at /workspace (it outlives the
// container), a noexec tmpfs at /tmp and the gateway's socket directory at /gateway. Whose volume
// the box mounts is the agent's memory scope: the session's own (default), its talker's, or the
// agent's (shared by every session). The name is derived from the session, so two concurrent
// ensures race on Docker's name check and both end with the one container that won. Names and
// labels: box-names.ts; removing workspaces and orphans: box-cleanup.ts.
import type Docker from 'dockerode';
import { AirlockError } from '../errors.ts';
import {
  agentBoxName,
  boxLabel,
  boxWorkspace,
  labelsOf,
  type AgentBoxRef,
  type BoxMemory,
} from './box-names.ts';
import { assertRunnerImage, BOX_FORWARD_PORT } from './box-image.ts';
import { hardenedHostConfig, removeContainer, statusOf } from './driver.ts';

/** Everything needed to create a box (reattaching needs only the ref). */
export interface AgentBoxSpec extends AgentBoxRef {
  limits: { memoryMb: number; cpus: number; pids: number };
  /** Host directory holding the gateway's socket; mounted read-only at /gateway. */
  socketDir: string;
  image: string;
  /**
   * The image is a harness a policy named (`sandbox.image`): the box runs the image's own command,
   * with the loopback forwarder on 127.0.0.1:BOX_FORWARD_PORT. Otherwise the base image's runner.
   */
  harness?: boolean;
  /** Whose workspace the box mounts; default: the session's own. */
  memory?: BoxMemory;
}

// PID 1 is Docker's init (forwards signals, reaps what the agent's commands leave behind); it runs
// the agent runner, which waits for the gateway's socket and then long-polls it for turns until the
// box is stopped. No restart policy: a runner that dies ends the box, and the next turn ensures it.
const runnerCmd = ['node', '/app/runner.js'];
/** Where the runner finds the gateway: the socket inside the mounted gateway directory. */
export const BOX_GATEWAY_SOCKET = '/gateway/gateway.sock';
const stopGraceSec = 5;
const nameWaitTries = 100; // × 50 ms

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
  await assertRunnerImage(docker, spec.image);
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

async function findBox(docker: Docker, ref: AgentBoxRef): Promise<string | undefined> {
  const label = Object.entries(labelsOf(ref)).map(([k, v]) => `${k}=${v}`);
  const found = await docker.listContainers({ all: true, filters: { label } });
  return found[0]?.Id;
}

function createOptions(spec: AgentBoxSpec): Docker.ContainerCreateOptions {
  return {
    name: agentBoxName(spec),
    Image: spec.image,
    // A harness image runs its own command (through the base image's entrypoint, which starts the
    // forwarder first); the base image runs Airlock's runner, which speaks the socket itself.
    ...(spec.harness ? {} : { Cmd: runnerCmd }),
    Env: [
      `AIRLOCK_GATEWAY_SOCKET=${BOX_GATEWAY_SOCKET}`,
      ...(spec.harness ? [`AIRLOCK_FORWARD_PORT=${BOX_FORWARD_PORT}`] : []),
    ],
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
