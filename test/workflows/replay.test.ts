// Replays every recorded history (test/fixtures/histories, recorded by scripts/record-histories.ts)
// against the current workflow code with the SDK's replayer: a change that would break a workflow
// waiting right now (a command added, removed or reordered without a patch) fails here, by name.
// The runs recorded before `patched('unusual-findings')` replay its old branch, action-unusual its
// new one. The retired patch of docs/deploys.md (`deprecatePatch`): the run recorded before it is
// refused, by name, while every run recorded with its marker replays.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import proto from '@temporalio/proto';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { workflowsPath } from '../../src/temporal/worker.ts';
import {
  historiesDir,
  historyConverter,
  historyNames,
  localActivityType,
  readHistory,
} from '../helpers/replay.ts';

const T = proto.temporal.api.enums.v1.EventType;
// Recorded before the patch, without a payload key (so replayed without the codec).
const prePatch = 'approved-two-local-activities';

describe('replay of recorded histories', { timeout: 240_000 }, () => {
  const results = new Map<string, ReplayResult>();
  before(async () => {
    // One replay worker (one bundle) for all of them. Each replays under its recorded workflow id
    // (ids of child workflows derive from it), kept in its first event.
    const byId = new Map<string, string>();
    const histories = historyNames.map((name) => {
      const history = readHistory(name);
      const id = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId || name;
      byId.set(id, name);
      return { workflowId: id, history };
    });
    for await (const r of Worker.runReplayHistories(
      { workflowsPath, dataConverter: historyConverter },
      histories,
    ))
      results.set(byId.get(r.workflowId) ?? r.workflowId, r);
  });

  test('every history in the fixtures directory is one the recorder makes (or the patch example)', () => {
    const files = readdirSync(historiesDir)
      .filter((f) => f.endsWith('.bin'))
      .map((f) => f.slice(0, -4))
      .sort();
    assert.deepEqual(files, [...historyNames, prePatch].sort());
  });

  for (const name of historyNames)
    test(`${name} replays deterministically`, () => {
      const r = results.get(name);
      assert.ok(r, `${name} was not replayed`);
      if (r.error) assert.fail(`${name}: ${r.error.name}: ${r.error.message}`);
    });

  test(`retired patch: ${prePatch}, recorded before patched('decision-recorded-with-signature-check'), is refused at its old branch since deprecatePatch; runs recorded since replay`, async () => {
    const history = readHistory(prePatch);
    const events = history.events ?? [];
    const markers = (m: string) =>
      events.filter((e) => e.markerRecordedEventAttributes?.markerName === m).length;
    // No patch marker: it ran the old branch (check, then append: two local activities).
    assert.equal(markers('core_patch'), 0);
    const signaled = events.findIndex(
      (e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    );
    const afterClick = events
      .slice(signaled)
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    assert.ok(afterClick.length >= 2, 'the old branch: two local activities after the click');
    // The deprecated patch runs the new branch only: the replayer names the old local activity.
    await assert.rejects(Worker.runReplayHistory({ workflowsPath }, history, prePatch), (err) => {
      assert.equal((err as Error).name, 'DeterminismViolationError');
      assert.match(
        (err as Error).message,
        /'checkDecisionSignatures'.*'checkDecisionsAndRecordFirst'/,
      );
      return true;
    });
    // Every run recorded since carries the marker and replays (the tests above, by name).
    let since = 0;
    for (const name of historyNames) {
      const recorded = readHistory(name).events ?? [];
      const checked = recorded
        .map(localActivityType)
        .some((t) => t && /^check(Decision|Record)/.test(t));
      const marked = recorded.some((e) =>
        e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.some((p) =>
          Buffer.from(p.data ?? [])
            .toString('utf8')
            .includes('decision-recorded-with-signature-check'),
        ),
      );
      if (checked) assert.ok(marked, `${name} checks a click, so it carries the marker`);
      if (marked) assert.equal(results.get(name)?.error, undefined, name);
      if (marked) since++;
    }
    assert.ok(since >= 8, `${since} histories carry the marker`);
  });

  test("patched('unusual-findings'): runs recorded before it replay without the comparison, action-unusual with it", () => {
    const compared = (name: string) =>
      (readHistory(name).events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'compareWithHistory',
      ).length;
    for (const name of ['action-approved', 'action-rejected', 'action-escalated', prePatch])
      assert.equal(compared(name), 0, name);
    assert.equal(compared('action-unusual'), 1);
    assert.equal(results.get('action-unusual')?.error, undefined);
  });

  test("patched('action-executed-in-a-local-activity'): action-approved replays its queued execution, action-executed-locally its local one", () => {
    const executions = (name: string) => {
      const events = readHistory(name).events ?? [];
      return {
        queued: events.filter(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeAction',
        ).length,
        local: events.map(localActivityType).filter((t) => t === 'executeAction').length,
      };
    };
    assert.deepEqual(executions('action-approved'), { queued: 1, local: 0 });
    assert.deepEqual(executions('action-executed-locally'), { queued: 0, local: 1 });
    for (const name of ['action-approved', 'action-executed-locally'])
      assert.equal(results.get(name)?.error, undefined, name);
  });

  test("patched('click-checked-and-executed-together'): action-executed-locally replays check and execution as two local activities, action-executed-with-click as one", () => {
    const locals = (name: string) =>
      (readHistory(name).events ?? [])
        .map(localActivityType)
        .filter((t) => t && /^(check|execute)/.test(t));
    assert.deepEqual(locals('action-executed-locally'), [
      'checkDecisionsAndRecordFirst',
      'executeAction',
    ]);
    assert.deepEqual(locals('action-executed-with-click'), ['checkRecordAndExecute']);
    assert.equal(results.get('action-executed-with-click')?.error, undefined);
  });

  test("patched('unusual-findings-local') and patched('cards-planned-in-a-local-activity'): a run recorded since replays with both as local activities", () => {
    const events = readHistory('action-local-steps').events ?? [];
    const scheduled = events
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    assert.ok(!scheduled.includes('compareWithHistory'), scheduled.join(', '));
    assert.ok(!scheduled.includes('planApprovalCards'), scheduled.join(', '));
    const patches = events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data)
      .map((d) => (d ? Buffer.from(d).toString('utf8') : ''));
    for (const id of ['unusual-findings-local', 'cards-planned-in-a-local-activity'])
      assert.ok(
        patches.some((p) => p.includes(id)),
        `${id} marker in ${patches.join(' ')}`,
      );
    assert.equal(results.get('action-local-steps')?.error, undefined);
  });

  test("patched('exchange-reason-sanitized') and patched('action-reason-sanitized'): rejections recorded before replay without the sanitizing activity, those recorded since with it", () => {
    const scheduled = (name: string, type: string) =>
      (readHistory(name).events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type,
      ).length;
    assert.equal(scheduled('exchange-question-rejected', 'sanitizeReason'), 0);
    assert.equal(scheduled('exchange-reason-sanitized', 'sanitizeReason'), 1);
    assert.equal(scheduled('session-turn-with-action', 'sanitizeOutcomeReason'), 0);
    assert.equal(scheduled('session-action-rejected', 'sanitizeOutcomeReason'), 1);
    for (const name of [
      'exchange-question-rejected',
      'exchange-reason-sanitized',
      'session-action-rejected',
    ])
      assert.equal(results.get(name)?.error, undefined, name);
  });
});
