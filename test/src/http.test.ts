// The one capped reader of an answer's body (src/http.ts), which the vault's egress and the web
// fetch share: whole chunks handed on while they fit, the crossing chunk cut at the cap, reading
// stopped there with the source cancelled (a fetch body) or destroyed (a node stream), and an
// endless answer from a real server read no further than the cap.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readCapped, streamCapped } from '../../src/http.ts';

/** A web stream of `chunks`, recording whether it was cancelled. */
function chunked(chunks: string[]) {
  const state = { cancelled: false, pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[state.pulled++];
      if (next === undefined) controller.close();
      else controller.enqueue(Buffer.from(next));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

test('a body within the cap is read whole and not cut', async () => {
  const { stream, state } = chunked(['abc', 'def']);
  const read = await readCapped(stream, 6);
  assert.equal(read.bytes.toString(), 'abcdef');
  assert.equal(read.truncated, false);
  assert.equal(read.received, 6);
  assert.equal(state.cancelled, false);
});

test('streamed: whole chunks handed on while they fit; the crossing one is cut and not handed on', async () => {
  const { stream, state } = chunked(['abc', 'def', 'ghi', 'never read']);
  const taken: string[] = [];
  const read = await streamCapped(stream, 7, (chunk) => {
    taken.push(Buffer.from(chunk).toString());
  });
  assert.deepEqual(taken, ['abc', 'def']);
  assert.equal(read.truncated, true);
  assert.equal(Buffer.from(read.head).toString(), 'g');
  assert.equal(read.received, 9, 'the crossing chunk counted whole');
  assert.equal(state.cancelled, true, 'the body is cancelled at the cap');
});

test('kept: exactly the cap, the crossing chunk cut; a node stream is destroyed', async () => {
  const source = Readable.from(['abc', 'def', 'ghi'].map((s) => Buffer.from(s)));
  const read = await readCapped(source, 4);
  assert.equal(read.bytes.toString(), 'abcd');
  assert.equal(read.truncated, true);
  assert.equal(source.destroyed, true);
});

test(
  'a real endless answer (fetch body and node response) is read no further than the cap',
  { timeout: 20_000 },
  async (t) => {
    // Each answer's end as the server sees it: the reader closing the connection ends it.
    const closed: Promise<unknown>[] = [];
    const server = createServer((_req, res) => {
      closed.push(once(res, 'close'));
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const viaFetch = await readCapped((await fetch(origin, { signal: t.signal })).body, 100_000);
    assert.equal(viaFetch.bytes.length, 100_000);
    assert.equal(viaFetch.truncated, true);
    await closed[0];

    const answer = await new Promise<IncomingMessage>((resolve, reject) =>
      request(origin, { signal: t.signal }, resolve).once('error', reject).end(),
    );
    const viaNode = await readCapped(answer, 50_000);
    assert.equal(viaNode.bytes.length, 50_000);
    assert.equal(viaNode.truncated, true);
    await closed[1];
  },
);
