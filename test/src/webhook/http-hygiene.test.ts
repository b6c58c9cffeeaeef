// HTTP hygiene of Airlock's servers (the chat webhook and the codec server): an oversized body is
// answered 413 and the connection is closed instead of drained, and a client that dribbles its
// headers byte by byte (slow loris) is cut off by the header timeout. Raw sockets, real servers.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { startWebhook } from '../../../src/webhook/start.ts';
import { createLogger } from '../../../src/log.ts';
import { createCodecServer } from '../../../src/temporal/codec-server.ts';
import { testConfig } from '../chat/helpers.ts';

const silent = createLogger({ level: 'silent' });

/** Open a socket; resolves with what it received and how long until the server closed it. */
function rawClient(port: number): {
  socket: Socket;
  closed: Promise<{ received: string; afterMs: number }>;
} {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  const closed = new Promise<{ received: string; afterMs: number }>((resolve) => {
    const done = (): void => resolve({ received, afterMs: Date.now() - started });
    socket.on('close', done);
    socket.on('error', done);
  });
  return { socket, closed };
}

/** Keep writing `chunk` until the socket closes or `limitMs` passes; resolves with bytes sent. */
async function flood(socket: Socket, chunk: Buffer, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  let sent = 0;
  while (!socket.destroyed && socket.writable && Date.now() < deadline) {
    if (!socket.write(chunk)) {
      await new Promise((r) => {
        const t = setTimeout(r, 50);
        socket.once('drain', () => (clearTimeout(t), r(undefined)));
      });
    }
    sent += chunk.length;
  }
  return sent;
}

async function chatServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = await startWebhook({
    config: testConfig({
      AIRLOCK_TEAMS_PLAYGROUND: '1',
      AIRLOCK_WEBHOOK_MAX_BODY: '4096',
      AIRLOCK_HTTP_HEADERS_TIMEOUT_MS: '500',
      AIRLOCK_HTTP_REQUEST_TIMEOUT_MS: '2000',
    }),
    deliver: () => Promise.resolve(),
    logger: silent,
  });
  return { port: server.port, close: () => server.close() };
}

const chunk = Buffer.alloc(64 * 1024, 'x');

for (const [name, framing] of [
  ['declared 100 MB', 'content-length: 104857600\r\n'],
  ['chunked, no length declared', 'transfer-encoding: chunked\r\n'],
] as const) {
  test(`chat webhook: an oversized upload (${name}) gets 413 and the socket is closed`, async () => {
    const server = await chatServer();
    const client = rawClient(server.port);
    try {
      client.socket.write(
        'POST /api/webhooks/teams HTTP/1.1\r\nhost: 127.0.0.1\r\n' +
          `content-type: application/json\r\nx-ms-agents-playground: true\r\n${framing}\r\n`,
      );
      const body = framing.startsWith('transfer')
        ? Buffer.concat([
            Buffer.from(`${chunk.length.toString(16)}\r\n`),
            chunk,
            Buffer.from('\r\n'),
          ])
        : chunk;
      const sent = await flood(client.socket, body, 5000);
      // The server closed it while the client was still sending (the flood ends only then or
      // after 5 s): an order of events, not a time limit.
      assert.ok(!client.socket.writable, 'the socket was still open when the client gave up');
      const { received } = await client.closed;
      assert.match(received, /^HTTP\/1\.1 413/);
      assert.ok(sent < 50 * 1024 * 1024, `the server stopped reading after ${sent} bytes`);
    } finally {
      client.socket.destroy();
      await server.close();
    }
  });
}

test('codec server: an oversized upload gets 413 and the socket is closed', async () => {
  const codec = {
    encode: (p: never[]) => Promise.resolve(p),
    decode: (p: never[]) => Promise.resolve(p),
  };
  const server = createCodecServer({
    codec,
    uiOrigin: 'http://127.0.0.1:8233',
    logger: silent,
    maxBody: 4096,
    token: 'codec-token-for-the-413-test-0123456789',
  });
  const port = await server.listen(0);
  const client = rawClient(port);
  try {
    client.socket.write(
      'POST /decode HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer codec-token-for-the-413-test-0123456789\r\ncontent-length: 104857600\r\n\r\n',
    );
    await flood(client.socket, chunk, 5000);
    assert.ok(!client.socket.writable, 'the socket was still open when the client gave up');
    const { received } = await client.closed;
    assert.match(received, /^HTTP\/1\.1 413/);
  } finally {
    client.socket.destroy();
    await server.close();
  }
});

test('chat webhook: a client sending its headers byte by byte is cut off', async () => {
  const server = await chatServer();
  const client = rawClient(server.port);
  try {
    const request = `POST /api/webhooks/teams HTTP/1.1\r\nhost: 127.0.0.1\r\n${'x-pad: y\r\n'.repeat(50)}`;
    let i = 0;
    // One byte every 50 ms (the whole would take 27 s): cut off long before, by the 500 ms header
    // timeout. An order of events (cut off before the headers were complete), not a time limit.
    while (!client.socket.destroyed && i < request.length) {
      client.socket.write(request[i] ?? '');
      i += 1;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.closed;
    assert.ok(i < request.length, 'cut off before the headers were complete');
  } finally {
    client.socket.destroy();
    await server.close();
  }
});
