// Small node:http helpers shared by Airlock's HTTP servers (the chat webhook, the codec server):
// JSON answers, a capped body reader, and the timeouts every server sets so a slow or stalled
// client (slow loris) cannot hold a connection open indefinitely.
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
