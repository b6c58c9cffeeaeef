// A worker whose sessions' sandboxed turn is a stand-in of the test's own (no box, no model), with
// every other activity real: for tests of what a turn asks through the session's updates.
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import { dataConverter } from '../../src/temporal/client.ts';
import { connectionOptions } from '../../src/temporal/connection.ts';
import { workflowsPath } from '../../src/temporal/worker.ts';
import { sessionStatusQuery, type SessionSender } from '../../workflows/agent-session/messages.ts';
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

/** A stand-in's JSON reply to turn `turnNo` of session `workflowId` (bounded wait), parsed. */
export async function standInReply(
  client: Client,
  workflowId: string,
  turnNo: number,
): Promise<Record<string, unknown>[]> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 600; i++) {
    const status = await handle.query(sessionStatusQuery).catch(() => null);
    const reply = status?.replies.find((r) => r.turn === turnNo);
    if (reply) return JSON.parse(reply.text) as Record<string, unknown>[];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} gave no reply for turn ${turnNo}`);
}
