// What the inbox does not trust or keep forever: lines that fail their MAC (changed, or forged
// without the key) are not delivered and are moved aside; a full backlog refuses clicks with 503;
// a decision that keeps failing is moved to dead letters (named in the log, counted on /healthz),
// while failures that only say Temporal is unreachable are retried for as long as they last.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createDecisionInbox,
  type DecisionInboxOptions,
} from '../../../../src/webhook/inbox/inbox.ts';
import { entryLine } from '../../../../src/webhook/inbox/file.ts';
import { startWebhook } from '../../../../src/webhook/start.ts';
import type { ApprovalDecision } from '../../../../workflows/sensitive-action/messages.ts';
import { click, people, playgroundApproveClick } from '../../../helpers/actions.ts';
import { captureLogger, testConfig, until } from '../../chat/helpers.ts';
import { verified } from './helpers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'airlock-inbox-'));
const key = randomBytes(32);
const decision = (): ApprovalDecision => click(people.alice, 'approve', 'abc123');
const never = () => new Promise<void>(() => undefined);

function inbox(dir: string, overrides: Partial<DecisionInboxOptions> = {}) {
  const log = captureLogger();
  const box = createDecisionInbox({
    dir,
    deliver: () => Promise.resolve(),
    key,
    logger: log.logger,
    retryBaseMs: 5,
    retryMaxMs: 20,
    ...overrides,
  });
  return Object.assign(box, { log: log.lines });
}

test('a changed line and a line forged without the key are not delivered, and are moved aside', async () => {
  const dir = tmp();
  const first = inbox(dir, { deliver: never, closeTimeoutMs: 10 });
  await first.start();
  await first.accept(verified('action:kept', decision()));
  await first.accept(verified('action:changed', decision()));
  await first.close();
  const file = join(dir, 'inbox.jsonl');
  // Someone edits who approved, and appends a decision sealed with a key of their own.
  const edited = readFileSync(file, 'utf8').replace(
    /("workflowId":"action:changed".*?"displayName":")Alice Approver/,
    '$1Mallory Outsider',
  );
  assert.match(edited, /Mallory Outsider/);
  const forged = entryLine(randomBytes(32), {
    seq: 99,
    workflowId: 'action:forged',
    decision: decision(),
  });
  writeFileSync(file, edited + forged);

  const delivered: string[] = [];
  const next = inbox(dir, {
    deliver: (workflowId) => {
      delivered.push(workflowId);
      return Promise.resolve();
    },
  });
  await next.start();
  await until(() => next.stats().delivered === 1, 'the intact decision');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(delivered, ['action:kept']);
  const logged = next
    .log()
    .find((l) => String(l['msg']).startsWith('inbox lines failed their check'));
  assert.deepEqual(logged?.['lines'], [2, 3]);
  assert.equal(logged?.['level'], 50);
  const aside = readFileSync(join(dir, 'tampered.jsonl'), 'utf8').trim().split('\n');
  assert.equal(aside.length, 2);
  assert.match(aside[0] ?? '', /Mallory Outsider/);
  assert.match(aside[1] ?? '', /action:forged/);
  await next.close();
  assert.equal(readFileSync(file, 'utf8'), '', 'nothing tampered stays in the inbox');
});

test('a decision that keeps failing goes to dead letters after maxAttempts; unreachable does not count', async () => {
  const dir = tmp();
  let calls = 0;
  const unreachable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
    code: 14,
  });
  const box = inbox(dir, {
    maxAttempts: 3,
    isTransient: (err) => (err as { code?: unknown }).code === 14,
    // Five "unreachable" failures first (not counted), then a failure that is the click's own.
    deliver: () => Promise.reject(++calls <= 5 ? unreachable : new Error('bad request')),
  });
  await box.start();
  await box.accept(verified('action:doomed', decision()));
  await until(() => box.stats().deadLetters === 1, 'the dead letter');
  assert.equal(calls, 8, 'five unreachable tries, then three counted attempts');
  assert.equal(box.stats().pending, 0);
  const error = box.log().find((l) => String(l['msg']).startsWith('decision given up'));
  assert.equal(error?.['level'], 50);
  assert.equal(error?.['workflowId'], 'action:doomed');
  assert.equal(error?.['approver'], 'Alice Approver');
  const dead = JSON.parse(readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8')) as {
    workflowId: string;
    attempts: number;
  };
  assert.equal(dead.workflowId, 'action:doomed');
  assert.equal(dead.attempts, 3);
  await box.close();
  // Not replayed, and still counted, after a restart.
  let replayed = 0;
  const next = inbox(dir, {
    deliver: () => {
      replayed++;
      return Promise.resolve();
    },
  });
  await next.start();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(replayed, 0);
  assert.equal(next.stats().deadLetters, 1);
  await next.close();
});

test('a full backlog refuses clicks with 503 and is not ready; /healthz shows pending and dead letters', async () => {
  const dir = tmp();
  let failing = true;
  const webhook = await startWebhook({
    config: testConfig({
      AIRLOCK_TEAMS_PLAYGROUND: '1',
      AIRLOCK_INBOX_DIR: dir,
      AIRLOCK_INBOX_MAX_PENDING: '2',
      AIRLOCK_INBOX_MAX_ATTEMPTS: '2',
    }),
    logger: captureLogger().logger,
    // Held until the test lets go; then the 'action:bad' one fails for good.
    deliver: async (workflowId) => {
      while (failing) await new Promise((r) => setTimeout(r, 10));
      if (workflowId === 'action:bad') throw new Error('refused');
    },
    inbox: { retryBaseMs: 5, retryMaxMs: 20 },
  });
  const post = (id: string) =>
    fetch(`${webhook.url}/api/webhooks/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
      body: JSON.stringify(playgroundApproveClick(id, 'abc123')),
    });
  const health = async () =>
    (await (await fetch(`${webhook.url}/healthz`)).json()) as {
      ok: boolean;
      inbox: { pending: number; deadLetters: number };
    };
  try {
    assert.equal((await post('action:one')).status, 200);
    assert.equal((await post('action:bad')).status, 200);
    const full = await post('action:three');
    assert.equal(full.status, 503);
    assert.deepEqual(await full.json(), { error: 'decision_not_recorded' });
    assert.deepEqual((await health()).inbox, { pending: 2, deadLetters: 0 });
    // Not ready while full (a load balancer sends clicks to another replica), ready with room.
    const full503 = await fetch(`${webhook.url}/readyz`);
    assert.equal(full503.status, 503);
    assert.deepEqual(await full503.json(), {
      status: 'not ready',
      inbox: 'not accepting',
      temporal: 'unknown',
    });
    failing = false;
    await until(() => webhook.inbox.stats().deadLetters === 1, 'the dead letter');
    const h = await health();
    assert.equal(h.ok, true);
    assert.deepEqual(h.inbox, { pending: 0, deadLetters: 1 });
    assert.equal((await fetch(`${webhook.url}/readyz`)).status, 200, 'ready again');
    assert.equal((await post('action:three')).status, 200, 'room again');
    assert.ok(existsSync(join(dir, 'dead-letters.jsonl')));
  } finally {
    await webhook.close();
  }
});
