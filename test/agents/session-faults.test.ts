// Agent sessions when things break, with real parts (Temporal, Docker, the runner image, the
// gateway, the stand-in model): the sandbox killed in the middle of a turn, the worker killed in
// the middle of a turn, and a research agent reaching an allow-listed page but no other host.
import assert from 'node:assert/strict';
import { type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { execInBox } from '../../src/sandbox/exec.ts';
import { carrierAt, sessionFixture, startCarrierPage, toolTurn } from '../helpers/sessions.ts';
import type { SessionFixture } from '../helpers/sessions.ts';
import { killProcess, spawnWorker } from '../helpers/temporal.ts';

let fx: SessionFixture;
let page: Server;
let pageUrl = '';
const pageHits: string[] = [];

describe('agent sessions under faults', { timeout: 300_000 }, () => {
  before(async () => {
    ({ server: page, url: pageUrl } = await startCarrierPage(
      '<h1>Damage policy</h1><p>Claims for damaged parcels are paid within 30 days.</p>',
      pageHits,
    ));
    fx = await sessionFixture([], carrierAt(pageUrl));
  });
  after(async () => {
    await fx?.close();
    page?.close();
  });

  test('a sandbox killed mid-turn is recreated, the turn retried, the reply given once', async () => {
    const { stop } = await fx.startSessionWorker();
    try {
      fx.model.setScript([
        ...toolTurn(
          ['write', 'written'],
          'write it down',
          { id: 'w1', name: 'shell', arguments: { command: 'echo kept > notes.txt' } },
          'Written.',
        ),
        {
          name: 'slow',
          afterUser: 'slow job',
          toolCalls: [{ id: 'z1', name: 'shell', arguments: { command: 'sleep 60' } }],
        },
        { name: 'slow-again', afterUser: 'slow job', text: 'Slow job done.' },
      ]);
      const id = await fx.send(fx.support, 'cli-kill-box', 'write it down');
      let status = await fx.waitForReply(id);
      await fx.send(fx.support, 'cli-kill-box', 'slow job');
      await fx.waitFor(
        () => Promise.resolve(fx.model.used),
        (used) => used.includes('slow'),
      );
      const before = await fx.box(fx.support);
      assert.ok(before);
      await fx.driver.docker.getContainer(before.id).remove({ force: true });

      status = await fx.waitForReply(id, status.turn, 90_000);
      assert.equal(status.replies.at(-1)?.text, 'Slow job done.');
      assert.equal(status.replies.filter((r) => r.turn === status.turn).length, 1);
      const after = await fx.box(fx.support);
      assert.ok(after && after.id !== before.id, 'a new sandbox was created');
      const notes = await execInBox(fx.driver.docker, after.id, ['cat', 'notes.txt'], {
        timeoutMs: 10_000,
      });
      assert.equal(notes.stdout.trim(), 'kept', 'the workspace survived the container');
    } finally {
      await stop();
    }
  });

  test('a worker killed mid-turn: another worker retries the turn and the reply comes once', async () => {
    fx.model.setScript([
      {
        name: 'long',
        afterUser: 'long job',
        toolCalls: [{ id: 'k1', name: 'shell', arguments: { command: 'sleep 6' } }],
      },
      { name: 'long-again', afterUser: 'long job', text: 'Long job done.' },
    ]);
    const child = await spawnWorker(fx.config);
    try {
      await fx.send(fx.support, 'cli-kill-worker', 'long job');
      await fx.waitFor(
        () => Promise.resolve(fx.model.used),
        (used) => used.includes('long'),
      );
      await killProcess(child, 'SIGKILL');
    } finally {
      await killProcess(child, 'SIGKILL');
    }
    const { stop } = await fx.startSessionWorker();
    try {
      const id = `session:${fx.support}:cli-kill-worker`;
      // The turn's heartbeat times out (20 s), then the new worker runs it again.
      const status = await fx.waitForReply(id, 0, 120_000);
      assert.equal(status.replies.at(-1)?.text, 'Long job done.');
      assert.equal(status.replies.length, 1, 'the reply was given once');
      assert.equal(status.turn, 1);
    } finally {
      await stop();
    }
  });

  test('a research agent reads an allow-listed page and is refused any other host', async () => {
    const { stop } = await fx.startSessionWorker();
    try {
      const other = pageUrl.replace('127.0.0.1', 'localhost');
      fx.model.setScript([
        {
          name: 'read',
          afterUser: 'damage policy',
          toolCalls: [{ id: 'f1', name: 'fetch', arguments: { url: pageUrl } }],
        },
        {
          name: 'read-other',
          afterToolResult: 'f1',
          toolCalls: [{ id: 'f2', name: 'fetch', arguments: { url: other } }],
        },
        { name: 'answer', afterToolResult: 'f2', text: 'Claims are paid within 30 days.' },
      ]);
      const id = await fx.send(fx.research, 'cli-research', 'what is the damage policy?');
      const status = await fx.waitForReply(id);
      assert.equal(status.replies.at(-1)?.text, 'Claims are paid within 30 days.');
      assert.deepEqual(pageHits, ['/damage-policy'], 'only the allow-listed host was reached');
      const last = fx.model.requests.at(-1)?.body as {
        messages: { role: string; content: unknown }[];
      };
      const tools = last.messages
        .filter((m) => m.role === 'tool')
        .map((m) => JSON.stringify(m.content));
      assert.match(tools[0] ?? '', /paid within 30 days/);
      assert.match(tools[1] ?? '', /not allowed|denied|refused/i);
    } finally {
      await stop();
    }
  });
});
