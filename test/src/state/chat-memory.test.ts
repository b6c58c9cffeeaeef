// The Chat SDK's state stays bounded: expired entries are swept even if never read again, the
// store never holds more than its cap, and 5,000 distinct requests through the real webhook
// server leave it under that cap (the SDK's own memory state kept every dedupe key forever).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMemoryState } from '../../../src/state/chat-memory.ts';
import { post, startQuietWebhook } from '../chat/helpers.ts';

test('entries expire when swept, without being read again', async () => {
  const state = new BoundedMemoryState(1000, 10);
  for (let i = 0; i < 100; i++) await state.set(`dedupe:${i}`, true, 5);
  await new Promise((r) => setTimeout(r, 30));
  await state.set('trigger-sweep', 1);
  assert.equal(state.size, 1);
  assert.equal(await state.get('dedupe:1'), null);
});

test('the store keeps at most its cap, dropping the least recently used', async () => {
  const state = new BoundedMemoryState(100);
  await state.set('kept', 'yes');
  for (let i = 0; i < 10_000; i++) {
    assert.equal(await state.setIfNotExists(`dedupe:${i}`, true, 300_000), true);
    if (i % 50 === 0) assert.equal(await state.get('kept'), 'yes', 'recently read: kept');
  }
  assert.ok(state.size <= 100, `size ${state.size}`);
  assert.equal(await state.get('kept'), 'yes');
  assert.equal(await state.get('dedupe:0'), null, 'oldest dropped');
  assert.equal(await state.setIfNotExists('dedupe:9999', true), false, 'recent still deduped');
});

test('locks, lists and queues behave as the Chat SDK expects', async () => {
  const state = new BoundedMemoryState(100);
  const lock = await state.acquireLock('t1', 1000);
  assert.ok(lock);
  assert.equal(await state.acquireLock('t1', 1000), null);
  assert.equal(await state.extendLock(lock, 2000), true);
  await state.releaseLock(lock);
  assert.ok(await state.acquireLock('t1', 1000));
  for (let i = 0; i < 5; i++) await state.appendToList('l', i, { maxLength: 3 });
  assert.deepEqual(await state.getList('l'), [2, 3, 4]);
  const entry = { enqueuedAt: 0, expiresAt: Date.now() + 1000, message: {} as never };
  assert.equal(await state.enqueue('t1', entry, 2), 1);
  assert.equal(await state.queueDepth('t1'), 1);
  assert.equal(await state.dequeue('t1'), entry);
  assert.equal(await state.dequeue('t1'), null);
});

test('5,000 distinct requests through the real server leave the state under its cap', async () => {
  const cap = 500;
  const server = await startQuietWebhook({
    AIRLOCK_TEAMS_PLAYGROUND: '1',
    AIRLOCK_CHAT_STATE_MAX_KEYS: String(cap),
  });
  try {
    const url = `http://127.0.0.1:${server.port}/api/webhooks/teams`;
    const marker = { 'x-ms-agents-playground': 'true' };
    const send = async (i: number): Promise<void> => {
      const res = await post(
        url,
        {
          type: 'message',
          id: `flood-${i}`,
          text: 'hello',
          serviceUrl: 'http://localhost:56150/_connector',
          channelId: 'msteams',
          from: { id: `user-${i}`, name: 'Someone', aadObjectId: `aad-${i}` },
          conversation: { id: `conversation-${i}`, conversationType: 'personal', tenantId: 't' },
          recipient: { id: '00000000-0000-0000-0000-00000000b071' },
        },
        marker,
      );
      assert.equal(res.status, 200);
    };
    // Ten clients at a time: the bound must hold under concurrency, and the test stays quick.
    for (let i = 0; i < 5000; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => send(i + k)));
    }
    const state = server.bot.chat.getState() as BoundedMemoryState;
    assert.ok(state.size > 0 && state.size <= cap, `size ${state.size}`);
  } finally {
    await server.close();
  }
});
