// Removing what agent boxes leave: a session's own workspace once it is over, every workspace of
// an agent taken out, and the sweep of boxes and workspaces whose session ended. "Already gone" is
// success everywhere, and a volume a box still mounts stays.
import type Docker from 'dockerode';
import {
  boxLabel,
  boxWorkspace,
  refOf,
  workspaceVolumeName,
  type AgentBoxRef,
} from './box-names.ts';
import { removeContainer, statusOf } from './driver.ts';

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
