// Small HTTP helpers shared by Airlock's servers (the chat webhook, the codec server) and its ways
// out: JSON answers, a capped request-body reader, the timeouts every server sets so a slow or
// stalled client (slow loris) cannot hold a connection open indefinitely, and the one capped reader
// of an answer's body (the vault's egress and the web fetch), which never reads past its cap.
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';

/** Answer `status` with `body` as JSON. */
export function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Limits on how long one request may take (ms). */
export interface HttpTimeouts {
  /** Longest wait for the complete request headers. */
  headersMs?: number;
  /** Longest wait for the complete request, body included. */
  requestMs?: number;
}

/** createServer options with request, header and keep-alive timeouts set. */
export function serverOptions(timeouts: HttpTimeouts = {}): ServerOptions {
  const headersTimeout = timeouts.headersMs ?? 10_000;
  return {
    headersTimeout,
    requestTimeout: Math.max(timeouts.requestMs ?? 30_000, headersTimeout),
    keepAliveTimeout: 5_000,
    // How often Node checks the two timeouts above (its default, 30 s, would let them overrun).
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
  };
}

/**
 * Read the whole body, or null as soon as it exceeds `max` bytes. On null the rest of the body is
 * left unread: answer with `sendTooLarge`, which closes the connection.
 */
export function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answer 413 and end the connection instead of reading (draining) the rest of an oversized body:
 * the answer is flushed, the socket half-closed, and destroyed shortly after, so a 100 MB upload
 * costs one buffer, not the whole transfer.
 */
export function sendTooLarge(res: ServerResponse): void {
  const socket = res.socket;
  res.setHeader('connection', 'close');
  res.once('finish', () => {
    if (!socket) return;
    socket.end();
    // A short grace lets the client read the 413 before the reset of a still-sending socket.
    setTimeout(() => socket.destroy(), 500).unref();
  });
  send(res, 413, { error: 'payload_too_large' });
}

/** True when `text` is valid JSON. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** What a capped read of an answer's body did. */
export interface CappedRead {
  /** True when more than the cap came: reading stopped there and the rest was never read. */
  truncated: boolean;
  /** Bytes read from the body, the chunk that crossed the cap counted whole. */
  received: number;
  /** The part of the chunk that crossed the cap that still fits (empty unless truncated). */
  head: Uint8Array;
}

/**
 * Hand each chunk of `body` to `take` (awaited: a slow taker slows the read) while they fit in
 * `cap` bytes in all. The chunk that would pass the cap is not handed on (its part that fits is
 * returned as `head`): reading stops there and the body is cancelled (a fetch body) or destroyed
 * (a node stream), so what lies past the cap is never read or buffered.
 */
export async function streamCapped(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null,
  cap: number,
  take: (chunk: Uint8Array) => void | Promise<void>,
): Promise<CappedRead> {
  let size = 0;
  let received = 0;
  // Leaving a for-await early calls the iterator's return(): that cancels or destroys the body.
  for await (const chunk of (body ?? []) as AsyncIterable<Uint8Array>) {
    received += chunk.length;
    if (size + chunk.length > cap)
      return { truncated: true, received, head: chunk.subarray(0, cap - size) };
    await take(chunk);
    size += chunk.length;
  }
  return { truncated: false, received, head: new Uint8Array(0) };
}

/** `body` whole, or its first `cap` bytes with `truncated` set (streamCapped, kept). */
export async function readCapped(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null,
  cap: number,
): Promise<{ bytes: Buffer; truncated: boolean; received: number }> {
  const chunks: Uint8Array[] = [];
  const read = await streamCapped(body, cap, (chunk) => {
    chunks.push(chunk);
  });
  if (read.truncated) chunks.push(read.head);
  return { bytes: Buffer.concat(chunks), truncated: read.truncated, received: read.received };
}
