// The worker's gauges read from the real dev server: running sensitive-action runs whose
// ApprovalState is pending, counted per agent and rule on this task queue only, back to 0 once
// they are gone; sessions per state. A Docker engine that cannot be reached is logged and leaves
// the other gauges working. The meter records what is set (the exporter has its own test).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { MetricGauge, MetricMeter, MetricTags } from '@temporalio/common';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import { createClient } from '../../../src/temporal/client.ts';
import { startGauges } from '../../../src/temporal/gauges.ts';
import { AgentId, ApprovalState, PolicyRule } from '../../../workflows/sensitive-action/search.ts';
import { captureLogger } from '../chat/helpers.ts';
import { testConfig, terminateRuns } from '../../helpers/temporal.ts';

/** A meter that keeps the last value set per gauge and label set. */
function recordingMeter(): MetricMeter & { values: Map<string, number>; tags: MetricTags } {
  const values = new Map<string, number>();
  const meter = {
    values,
    tags: {} as MetricTags,
    createGauge: (name: string): MetricGauge => {
      const gauge: MetricGauge = {
        name,
        kind: 'gauge',
        valueType: 'int',
        set: (value, tags = {}) => {
          const labels = Object.entries(tags)
            .sort()
            .map(([k, v]) => `${k}=${String(v)}`);
          values.set(`${name}{${labels.join(',')}}`, value);
        },
        withTags: () => gauge,
      };
      return gauge;
    },
    createCounter: () => assert.fail('no counters'),
    createHistogram: () => assert.fail('no histograms'),
    withTags: (tags: MetricTags) => Object.assign(meter, { tags }),
  } as unknown as MetricMeter & { values: Map<string, number>; tags: MetricTags };
  return meter;
}

test('pending approvals per agent and rule, sessions per state; Docker away is logged', async () => {
  const config = testConfig();
  const other = testConfig();
  const client = await createClient(config);
  const started: string[] = [];
  const { logger, lines } = captureLogger();
  const meter = recordingMeter();
  const gauges = startGauges({
    client,
    docker: new SandboxDriver('unix:///nonexistent/docker.sock').docker,
    meter,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    logger,
    everyMs: 0,
  });
  // Runs nobody works on: running, with the search attributes a pending request carries.
  const pending = async (taskQueue: string, agent: string, rule: string) => {
    const workflowId = `gauges-${randomUUID()}`;
    await client.workflow.start('sensitiveActionWorkflow', {
      taskQueue,
      workflowId,
      args: [{}],
      typedSearchAttributes: [
        { key: ApprovalState, value: 'pending' },
        { key: AgentId, value: agent },
        { key: PolicyRule, value: rule },
      ],
    });
    started.push(workflowId);
  };
  try {
    const q = config.TEMPORAL_TASK_QUEUE;
    await pending(q, 'support-bot', 'refunds-large');
    await pending(q, 'support-bot', 'refunds-large');
    await pending(q, 'research-bot', 'web-large');
    await pending(other.TEMPORAL_TASK_QUEUE, 'support-bot', 'refunds-large');
    const key = (agent: string, rule: string) =>
      `airlock_pending_approvals{agent=${agent},rule=${rule}}`;
    // Visibility follows the start closely on the dev server; poll briefly.
    for (let i = 0; i < 50 && meter.values.get(key('research-bot', 'web-large')) !== 1; i++) {
      await gauges.refresh();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(meter.values.get(key('support-bot', 'refunds-large')), 2, 'its own queue only');
    assert.equal(meter.values.get(key('research-bot', 'web-large')), 1);
    assert.equal(meter.values.get('airlock_sessions_running{state=working}'), 0);
    assert.deepEqual(meter.tags, { namespace: config.TEMPORAL_NAMESPACE, taskQueue: q });
    assert.ok(
      lines().some(
        (l) =>
          l['msg'] === 'gauges: refresh failed; the last values stay' &&
          l['part'] === 'sandboxesRunning',
      ),
      'the unreachable Docker engine is logged',
    );
    assert.equal(meter.values.get('airlock_sandboxes_running{kind=run}'), undefined);

    for (const id of started) await client.workflow.getHandle(id).terminate('test over');
    for (let i = 0; i < 50 && meter.values.get(key('research-bot', 'web-large')) !== 0; i++) {
      await gauges.refresh();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(meter.values.get(key('support-bot', 'refunds-large')), 0);
    assert.equal(meter.values.get(key('research-bot', 'web-large')), 0);
  } finally {
    await gauges.stop();
    await terminateRuns(client, started);
    await client.connection.close();
  }
});
