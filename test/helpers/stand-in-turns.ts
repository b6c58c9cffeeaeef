// A worker whose sessions' sandboxed turn is a stand-in of the test's own (no box, no model), with
// every other activity real: for tests of what a turn asks through the session's updates.
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import { dataConverter } from '../../src/temporal/client.ts';
import { connectionOptions } from '../../src/temporal/connection.ts';
import { workflowsPath } from '../../src/temporal/worker.ts';
import type { SessionSender } from '../../workflows/agent-session/messages.ts';
import type { AgentSessionActivities } from '../../workflows/agent-session/types.ts';
import { people, type ActionFixture } from './actions.ts';

/** Riley, the demo's requester, as a session's message names the sender. */
export const riley: SessionSender = {
  platform: 'teams',
  userId: 'riley',
  aadObjectId: people.riley.aadObjectId,
  tenantId: people.riley.tenantId,
  displayName: 'Riley Requester',
  policyUserId: 'riley',
};

/** Run a worker for `fx` with `deps`, its turns run by `turn`; the returned function stops it. */
export async function standInTurnWorker(
  fx: ActionFixture,
  deps: ActivityDeps,
  turn: AgentSessionActivities['runAgentTurn'],
): Promise<() => Promise<void>> {
  const connection = await NativeConnection.connect(connectionOptions(fx.config));
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: fx.config.TEMPORAL_NAMESPACE,
      taskQueue: fx.config.TEMPORAL_TASK_QUEUE,
      workflowsPath,
      activities: {
        ...createActivities(deps),
        runAgentTurn: turn,
        stopAgentSandbox: () => Promise.resolve(),
        removeAgentSandbox: () => Promise.resolve(),
        postSessionReply: () => Promise.resolve(),
      },
      dataConverter: dataConverter(fx.config),
    });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const running = worker.run();
  return async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
  };
}
