// Gauges no workflow can keep (they span workflows): pending approvals by agent and rule, agent
// sessions running by state, and sandboxes running on this Docker host. A worker refreshes them
// every AIRLOCK_GAUGES_EVERY_SEC through the SDK runtime's meter, so the worker's /metrics serves
// them beside the rest. The Temporal counts cover the worker's task queue (namespace-wide for it):
// every worker on that queue publishes the same numbers, so dashboards take max() across workers.
// A refresh that fails is logged and the gauges keep their last values; it never stops the worker.
import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import type Docker from 'dockerode';
import type { Logger } from '../log.ts';
import { AgentId, PolicyRule } from '../../workflows/sensitive-action/search.ts';

/** The session states a running session workflow may show (workflows/agent-session/messages.ts). */
const sessionStates = ['waiting', 'working', 'idle', 'closed'] as const;

/** What the gauges are read from and written to. */
export interface GaugeDeps {
  client: Client;
  docker: Pick<Docker, 'listContainers'>;
  meter: MetricMeter;
  taskQueue: string;
  logger: Logger;
  /** Refresh interval (ms); 0 refreshes only when asked. */
  everyMs: number;
}

/** Running gauges. */
export interface Gauges {
  /** Read everything once now and set the gauges. */
  refresh(): Promise<void>;
  /** Stop refreshing; resolves once a refresh in flight is done. */
  stop(): Promise<void>;
}

/** The visibility query for `type` runs of this task queue that are still running. */
const running = (type: string, taskQueue: string): string =>
  `WorkflowType = '${type}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replaceAll("'", "\\'")}'`;

/** Create the gauges and refresh them every `everyMs` (the first refresh starts now). */
export function startGauges(deps: GaugeDeps): Gauges {
  const { client, docker, taskQueue, logger } = deps;
  // Labelled like the metrics from workflow code, so one dashboard filter fits both.
  const meter = deps.meter.withTags({ namespace: client.options.namespace, taskQueue });
  const pending = meter.createGauge(
    'airlock_pending_approvals',
    'int',
    '1',
    'Sensitive requests waiting for a decision, by agent and rule (task queue wide)',
  );
  const sessions = meter.createGauge(
    'airlock_sessions_running',
    'int',
    '1',
    'Agent session workflows running, by state (task queue wide)',
  );
  const sandboxes = meter.createGauge(
    'airlock_sandboxes_running',
    'int',
    '1',
    "Airlock's containers running on this worker's Docker host, by kind",
  );
  // Label pairs published before: set back to 0 when nothing is pending for them any more.
  const published = new Map<string, { agent: string; rule: string }>();

  // One list query, grouped here: pending requests are few (people decide them), while one count
  // per (agent, rule) pair of the policy would be a query per pair on every refresh. (Temporal's
  // count can group only by ExecutionStatus.)
  const pendingApprovals = async () => {
    const query = `${running('sensitiveActionWorkflow', taskQueue)} AND ApprovalState = 'pending'`;
    const counts = new Map<string, { agent: string; rule: string; n: number }>();
    for await (const run of client.workflow.list({ query })) {
      const agent = run.typedSearchAttributes.get(AgentId) ?? 'unknown';
      const rule = run.typedSearchAttributes.get(PolicyRule) ?? 'none';
      const key = `${agent}\0${rule}`;
      const entry = counts.get(key) ?? { agent, rule, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    for (const [key, labels] of published) if (!counts.has(key)) pending.set(0, labels);
    for (const [key, { agent, rule, n }] of counts) {
      published.set(key, { agent, rule });
      pending.set(n, { agent, rule });
    }
  };
  const sessionsRunning = async () => {
    const base = running('agentSessionWorkflow', taskQueue);
    const counts = await Promise.all(
      sessionStates.map((state) => client.workflow.count(`${base} AND SessionState = '${state}'`)),
    );
    sessionStates.forEach((state, i) => sessions.set(counts[i]?.count ?? 0, { state }));
  };
  const sandboxesRunning = async () => {
    const boxes = await docker.listContainers({
      filters: { label: ['airlock.managed=true'], status: ['running'] },
    });
    const agentBoxes = boxes.filter((b) => b.Labels['airlock.role'] === 'agent-box').length;
    sandboxes.set(agentBoxes, { kind: 'agent-box' });
    sandboxes.set(boxes.length - agentBoxes, { kind: 'run' });
  };

  const refresh = async () => {
    const parts = { pendingApprovals, sessionsRunning, sandboxesRunning };
    for (const [part, read] of Object.entries(parts)) {
      try {
        await read();
      } catch (err) {
        logger.warn({ err, part }, 'gauges: refresh failed; the last values stay');
      }
    }
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const loop = () => {
    inFlight = refresh().finally(() => {
      if (stopped || deps.everyMs <= 0) return;
      timer = setTimeout(loop, deps.everyMs);
      timer.unref();
    });
  };
  loop();
  return {
    refresh: () => (inFlight = inFlight.then(refresh)),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      return inFlight;
    },
  };
}
