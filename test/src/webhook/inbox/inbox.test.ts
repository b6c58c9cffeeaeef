// The durable click inbox on real files: group commit, survival of a SIGKILL between the ack and
// the delivery, retries, the final drops signalDecision makes against the real dev server, a torn
// last line, a failed fsync, one process per directory, and the webhook answering 503
// when the inbox cannot take a click.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createDecisionInbox,
  type DecisionInboxOptions,
} from '../../../../src/webhook/inbox/inbox.ts';
import { deliveredLine, entryLine, readInbox } from '../../../../src/webhook/inbox/file.ts';
import { startWebhook } from '../../../../src/webhook/start.ts';
import { signalDecision } from '../../../../src/webhook/inbox/signal.ts';
import { hasCode } from '../../../../src/errors.ts';
import { createClient } from '../../../../src/temporal/client.ts';
import type { ApprovalDecision } from '../../../../workflows/sensitive-action/messages.ts';
import { click, people, playgroundApproveClick } from '../../../helpers/actions.ts';
import {
  killProcess,
  repoRoot,
  testConfig as temporalConfig,
  waitForLine,
} from '../../../helpers/temporal.ts';
import { captureLogger, testConfig, until } from '../../chat/helpers.ts';
import { verified } from './helpers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'airlock-inbox-'));
const key = randomBytes(32);
const decision = (reason?: string): ApprovalDecision =>
  click(people.alice, 'approve', 'abc123', reason ? { reason } : {});

/** A deliver that records calls and resolves only when `release()` is called (or at once). */
function gate(open = false) {
  const calls: { workflowId: string; decision: ApprovalDecision }[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  if (open) release();
  return {
    calls,
    release: () => release(),
    deliver: async (workflowId: string, d: ApprovalDecision) => {
      calls.push({ workflowId, decision: d });
      await released;
    },
  };
}

function inbox(dir: string, overrides: Partial<DecisionInboxOptions> = {}) {
  const log = captureLogger();
  const box = createDecisionInbox({
    dir,
    deliver: gate(true).deliver,
    key,
    logger: log.logger,
    retryBaseMs: 10,
    compactIdleMs: 50,
    ...overrides,
  });
  return Object.assign(box, { log: log.lines });
}

const fileOf = (dir: string) => join(dir, 'inbox.jsonl');

test('group commit: 200 concurrent clicks are durable after a few fsyncs, then delivered and compacted', async () => {
  const dir = tmp();
  const g = gate();
  let syncs = 0;
  const box = inbox(dir, {
    deliver: g.deliver,
    // A slow disk: clicks arriving during one fsync must share the next one.
    sync: async (fh) => {
      syncs++;
      await new Promise((r) => setTimeout(r, 5));
      await fh.datasync();
    },
  });
  await box.start();
  const accepts: Promise<void>[] = [];
  for (let wave = 0; wave < 10; wave++) {
    for (let i = 0; i < 20; i++)
      accepts.push(box.accept(verified(`action:gc-${wave}-${i}`, decision())));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(accepts);
  assert.ok(syncs <= 10, `200 clicks in 10 waves took ${syncs} fsyncs`);
  assert.equal(box.stats().syncs, syncs);
  // Durable: every click is in the file before any delivery completed.
  const onDisk = await readInbox(fileOf(dir), key);
  assert.equal(onDisk.undelivered.length, 200);
  assert.equal(new Set(onDisk.undelivered.map((e) => e.workflowId)).size, 200);

  g.release();
  await until(() => box.stats().delivered === 200, 'all deliveries');
  assert.equal(g.calls.length, 200);
  // Everything delivered: the file is emptied after the idle delay.
  await until(() => readFileSync(fileOf(dir), 'utf8') === '', 'compaction');
  await box.close();
});

test('a click acknowledged by a process SIGKILLed before delivering it is delivered by the next one; a second opener is refused', async () => {
  const dir = tmp();
  const d = decision();
  const child = spawn(
    process.execPath,
    [
      'test/src/webhook/inbox/child.ts',
      dir,
      JSON.stringify(d),
      'action:killed-1',
      key.toString('base64'),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await waitForLine(child, /^accepted$/, 30_000);
    // While the child lives, the directory is its own.
    const second = inbox(dir);
    await assert.rejects(second.start(), (err) => hasCode(err, 'inbox_busy'));
  } finally {
    await killProcess(child, 'SIGKILL');
  }
  const g = gate(true);
  const next = inbox(dir, { deliver: g.deliver });
  await next.start(); // takes over the dead process's lock
  await until(() => next.stats().delivered === 1, 'the replayed delivery');
  assert.deepEqual(g.calls, [{ workflowId: 'action:killed-1', decision: d }]);
  assert.ok(next.log().some((l) => l['msg'] === 'decision inbox open' && l['replaying'] === 1));
  await next.close();
  // Delivered and recorded: a third start replays nothing.
  const g3 = gate(true);
  const third = inbox(dir, { deliver: g3.deliver });
  await third.start();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(g3.calls.length, 0);
  await third.close();
});

test('a lock left by a dead process is taken over, even one naming this pid (container restart)', async () => {
  const dir = tmp();
  const sock = join(dir, 'inbox.lock');
  // A socket file whose process died without closing it.
  const dead = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  await new Promise((r) => dead.once('exit', r));
  assert.ok(existsSync(sock));
  writeFileSync(`${sock}.takeover`, String(process.pid));
  const box = inbox(dir);
  await box.start();
  assert.ok(!existsSync(`${sock}.takeover`));
  await box.close();
  assert.ok(!existsSync(sock), 'closing removes the socket');
});

test('a file past compactBytes is rewritten with only the undelivered entries', async () => {
  const dir = tmp();
  const odd = gate();
  const box = inbox(dir, {
    compactBytes: 4096,
    compactIdleMs: 60_000,
    deliver: (workflowId, d) =>
      workflowId.endsWith('-odd') ? odd.deliver(workflowId, d) : Promise.resolve(),
  });
  await box.start();
  for (let i = 0; i < 10; i++) {
    await box.accept(verified(`action:c${i}-${i % 2 ? 'odd' : 'even'}`, decision()));
  }
  await until(() => box.stats().delivered === 5, 'the even ones');
  // Keep appending until the file passes 4 KiB and is rewritten.
  for (let i = 10; readFileSync(fileOf(dir), 'utf8').includes('"delivered"') || i < 14; i++) {
    await box.accept(verified(`action:c${i}-odd`, decision()));
    assert.ok(i < 100, 'the file was never rewritten');
  }
  const onDisk = await readInbox(fileOf(dir), key);
  assert.ok(onDisk.undelivered.every((e) => e.workflowId.endsWith('-odd')));
  assert.equal(onDisk.undelivered.length, box.stats().pending);
  odd.release();
  await until(() => box.stats().pending === 0, 'the held ones');
  await box.close();
  assert.equal(readFileSync(fileOf(dir), 'utf8'), '');
});

test('a lone click is delivered at once; during a burst, deliveries wait until it goes quiet', async () => {
  // Timed against the inbox's own quiet time, not a fixed window: a held delivery waits at least
  // quietMs (a lower bound, which load cannot break); one that was not held comes before it.
  const quietMs = 5000;
  const dir = tmp();
  const g = gate(true);
  const deliveredAt = new Map<string, number>();
  const box = inbox(dir, {
    deliver: (id, d) => {
      deliveredAt.set(id, performance.now());
      return g.deliver(id, d);
    },
    burstQuietMs: quietMs,
    maxHoldMs: 20_000,
  });
  await box.start();
  const lone = performance.now();
  await box.accept(verified('action:lone', decision()));
  await until(() => g.calls.length === 1, 'the lone click');
  const loneMs = (deliveredAt.get('action:lone') ?? Infinity) - lone;
  assert.ok(loneMs < quietMs, `the lone click waited ${loneMs} ms: it was held`);
  // Two clicks at once are a burst: held until quietMs without clicks.
  const burst = performance.now();
  await Promise.all([
    box.accept(verified('action:b1', decision())),
    box.accept(verified('action:b2', decision())),
  ]);
  await until(() => g.calls.length === 3, 'the held clicks', 20_000 + quietMs);
  for (const id of ['action:b1', 'action:b2']) {
    const heldMs = (deliveredAt.get(id) ?? 0) - burst;
    assert.ok(heldMs >= quietMs - 5, `${id} was delivered after ${heldMs} ms, not held`);
  }
  await box.close();
});

test('a delivery that fails three times is retried until it succeeds, without logging the reason', async () => {
  const dir = tmp();
  let calls = 0;
  const box = inbox(dir, {
    deliver: () => {
      calls++;
      return calls <= 3 ? Promise.reject(new Error('temporal unavailable')) : Promise.resolve();
    },
  });
  await box.start();
  await box.accept(verified('action:retry-1', decision('private reason text')));
  await until(() => box.stats().delivered === 1, 'the fourth attempt');
  assert.equal(calls, 4);
  assert.equal(box.stats().retries, 3);
  const warnings = box.log().filter((l) => l['msg'] === 'decision delivery failed; will retry');
  assert.deepEqual(
    warnings.map((l) => [l['workflowId'], l['approver'], l['attempt']]),
    [1, 2, 3].map((n) => ['action:retry-1', 'Alice Approver', n]),
  );
  assert.ok(!JSON.stringify(box.log()).includes('private reason text'));
  await box.close();
  assert.equal((await readInbox(fileOf(dir), key)).undelivered.length, 0);
});

test('a click for an unknown workflow is dropped by signalDecision (dev server), not retried', async () => {
  const dir = tmp();
  const config = temporalConfig();
  const client = await createClient(config);
  const log = captureLogger();
  const box = createDecisionInbox({
    dir,
    deliver: signalDecision(client, log.logger),
    key,
    logger: log.logger,
    retryBaseMs: 10,
  });
  try {
    await box.start();
    const workflowId = `action:never-started-${randomUUID()}`;
    await box.accept(verified(workflowId, decision()));
    await until(() => box.stats().delivered === 1, 'the final drop');
    assert.equal(box.stats().retries, 0);
    assert.ok(
      log
        .lines()
        .some(
          (l) =>
            l['msg'] === 'click for a finished or unknown request; ignored' &&
            l['workflowId'] === workflowId,
        ),
    );
  } finally {
    await box.close();
    await client.connection.close();
  }
  assert.equal((await readInbox(fileOf(dir), key)).undelivered.length, 0);
});

test('a torn last line (crash mid-write) is skipped with a warning; earlier entries are kept', async () => {
  const dir = tmp();
  const [d1, d2, d3] = [decision(), decision(), decision()];
  writeFileSync(
    fileOf(dir),
    entryLine(key, { seq: 1, workflowId: 'action:a', decision: d1 }) +
      entryLine(key, { seq: 2, workflowId: 'action:b', decision: d2 }) +
      deliveredLine(key, [1]) +
      entryLine(key, { seq: 3, workflowId: 'action:c', decision: d3 }).slice(0, 40),
  );
  const g = gate();
  const box = inbox(dir, { deliver: g.deliver });
  await box.start();
  const warning = box.log().find((l) => String(l['msg']).includes('do not parse'));
  assert.deepEqual(warning?.['lines'], [4]);
  await until(() => g.calls.length === 1, 'the replay');
  assert.deepEqual(g.calls[0], { workflowId: 'action:b', decision: d2 });
  // New clicks land on whole lines: the torn tail is gone from the file.
  const d4 = decision();
  await box.accept(verified('action:d', d4));
  const lines = readFileSync(fileOf(dir), 'utf8').split('\n').filter(Boolean);
  for (const l of lines) JSON.parse(l);
  const onDisk = await readInbox(fileOf(dir), key);
  assert.deepEqual(
    onDisk.undelivered.map((e) => [e.workflowId, e.decision.decisionId]),
    [
      ['action:b', d2.decisionId],
      ['action:d', d4.decisionId],
    ],
  );
  assert.deepEqual(onDisk.tornLines, []);
  assert.deepEqual(onDisk.tampered, []);
  g.release();
  await box.close();
});

test('a click whose fsync fails is refused and leaves no trace; the next one is accepted', async () => {
  const dir = tmp();
  let fail = true;
  const g = gate();
  const box = inbox(dir, {
    deliver: g.deliver,
    sync: async (fh) => {
      if (fail) {
        fail = false;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      }
      await fh.datasync();
    },
  });
  await box.start();
  await assert.rejects(box.accept(verified('action:lost', decision())), (err) =>
    hasCode(err, 'inbox_write_failed'),
  );
  await box.accept(verified('action:kept', decision()));
  const onDisk = await readInbox(fileOf(dir), key);
  assert.deepEqual(
    onDisk.undelivered.map((e) => e.workflowId),
    ['action:kept'],
  );
  assert.ok(!readFileSync(fileOf(dir), 'utf8').includes('action:lost'));
  g.release();
  await box.close();
});

test('close lets deliveries in flight finish and records them; what was never sent is replayed', async () => {
  const dir = tmp();
  const g = gate();
  const box = inbox(dir, { deliver: g.deliver, concurrency: 2, closeTimeoutMs: 5000 });
  await box.start();
  await Promise.all([1, 2, 3].map((i) => box.accept(verified(`action:close-${i}`, decision()))));
  await until(() => g.calls.length === 2, 'two deliveries in flight');
  const closing = box.close();
  await assert.rejects(box.accept(verified('action:late', decision())), (err) =>
    hasCode(err, 'inbox_closed'),
  );
  setTimeout(g.release, 50);
  await closing;
  assert.equal(g.calls.length, 2, 'nothing new is sent while closing');
  const left = await readInbox(fileOf(dir), key);
  assert.deepEqual(
    left.undelivered.map((e) => e.workflowId),
    ['action:close-3'],
  );
  const g2 = gate(true);
  const next = inbox(dir, { deliver: g2.deliver });
  await next.start();
  await until(() => g2.calls.length === 1, 'the replay');
  assert.equal(g2.calls[0]?.workflowId, 'action:close-3');
  await next.close();
});

test('the webhook answers 503 when the inbox cannot keep the click, and 200 once it can', async () => {
  const g = gate(true);
  let fail = true;
  const webhook = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1' }),
    deliver: g.deliver,
    logger: captureLogger().logger,
    inbox: {
      sync: async (fh) => {
        if (fail) {
          fail = false;
          throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        }
        await fh.datasync();
      },
    },
  });
  const post = (id: string) =>
    fetch(`${webhook.url}/api/webhooks/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
      body: JSON.stringify(playgroundApproveClick(id, 'abc123')),
    });
  try {
    assert.equal((await post('action:not-kept')).status, 503);
    const ok = await post('action:now');
    assert.equal(ok.status, 200);
    await until(() => g.calls.length === 1, 'the delivery');
    assert.equal(g.calls[0]?.workflowId, 'action:now');
    assert.equal(g.calls[0]?.decision.approver.displayName, 'Alice Approver');
  } finally {
    await webhook.close();
  }
});
