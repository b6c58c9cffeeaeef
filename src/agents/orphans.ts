// Orphaned agent boxes: a box of this server and namespace whose session workflow is no longer running
// (closed, terminated, timed out, or gone) is removed when a worker starts. A session that
// cannot be looked up (Temporal unreachable) keeps its box: only a definite answer removes one.
import type { Client } from '@temporalio/client';
import type Docker from 'dockerode';
import type { Logger } from '../log.ts';
import { cleanupOrphans } from '../sandbox/box-cleanup.ts';
import { boxLabel } from '../sandbox/box-names.ts';

/** Remove the boxes of sessions that are over; never throws (logged instead). */
export async function removeOrphanBoxes(
  docker: Docker,
  client: Client,
  logger: Logger,
  /** This worker's Temporal server address: boxes of another server are not ours to judge. */
  temporal: string,
): Promise<string[]> {
  try {
    const removed = await cleanupOrphans(docker, async (labels) => {
      const workflowId = labels[boxLabel.workflow];
      // Another server's or namespace's sessions are another worker's business.
      if (labels[boxLabel.temporal] !== temporal) return true;
      if (labels[boxLabel.namespace] !== client.options.namespace) return true;
      if (!workflowId) return false;
      try {
        const { status } = await client.workflow.getHandle(workflowId).describe();
        return status.name === 'RUNNING';
      } catch (err) {
        if ((err as { name?: string }).name === 'WorkflowNotFoundError') return false;
        throw err;
      }
    });
    if (removed.length) logger.info({ removed }, 'removed sandboxes of ended sessions');
    return removed;
  } catch (err) {
    logger.warn({ err }, 'could not check for orphaned sandboxes; kept them');
    return [];
  }
}
