// Shared fixtures for vault tests: a real HTTP server on 127.0.0.1 that records and counts every
// request, fresh keys and temp directories, and a pino logger whose output is captured.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../../src/log.ts';

/** A request as the server saw it. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local server; `handler` may be replaced per test, the default echoes the request as JSON. */
export interface TestServer {
  origin: string;
  seen: Seen[];
  handler: (req: Seen, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** Start a server on 127.0.0.1, port 0. */
export async function startServer(): Promise<TestServer> {
  const state: TestServer = {
    origin: '',
    seen: [],
    handler: (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      state.seen.push(seen);
      state.handler(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** A fresh 32-byte master key. */
export function newKey(): Buffer {
  return randomBytes(32);
}

/** A fresh temp directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'airlock-vault-'));
}

/** A logger at debug level whose JSON lines are collected in `lines`. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  return { logger, lines };
}

/** Every form a leak of `secret` could take in text we scan. */
export function leakForms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [secret, b.toString('base64'), b.toString('base64url'), encodeURIComponent(secret)];
}

/** Fail when `text` contains `secret` in any form. */
export function assertNoLeak(text: string, secret: string, where: string): void {
  for (const f of leakForms(secret)) {
    if (text.includes(f))
      throw new Error(`${where} contains the secret (as ${JSON.stringify(f.slice(0, 4))}…)`);
  }
}
