// The codec server the Temporal UI calls to show Airlock's encrypted payloads in clear to an
// operator: POST /decode with `{"payloads":[…]}` (proto3 JSON: base64 metadata values and data)
// answers the same shape decrypted. Only decoding is offered (nothing can be encrypted through
// it), only to the UI's own origin (CORS), on loopback; anyone who can reach it can read payloads,
// so in production it sits behind the same sign-in as the UI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { readBody, send, sendTooLarge, serverOptions } from '../http.ts';
import type { Logger } from '../log.ts';

/** Options of the codec server. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The Temporal UI's origin, e.g. http://127.0.0.1:8233: the only one allowed to call. */
  uiOrigin: string;
  logger: Logger;
  /** Largest request body (bytes, default 4 MiB). */
  maxBody?: number;
}

/** A codec server, not yet listening. */
export interface CodecServer {
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Create the server. */
export function createCodecServer(options: CodecServerOptions): CodecServer {
  const { codec, logger } = options;
  const origin = options.uiOrigin.replace(/\/+$/, '');
  const maxBody = options.maxBody ?? 4 * 1024 * 1024;
  const server: Server = createServer(serverOptions(), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'codec server failed');
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.headers.origin === origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (path !== '/decode') return send(res, 404, { error: 'not_found' });
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'POST');
      res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    if (req.headers.origin !== undefined && req.headers.origin !== origin) {
      return send(res, 403, { error: 'origin_not_allowed' });
    }
    const body = await readBody(req, maxBody);
    if (body === null) return sendTooLarge(res);
    let payloads: Payload[];
    try {
      const parsed = JSON.parse(body) as { payloads?: unknown };
      if (!Array.isArray(parsed.payloads)) throw new Error('no payloads array');
      payloads = (parsed.payloads as JsonPayload[]).map(fromJson);
    } catch (err) {
      return send(res, 400, { error: 'bad_request', message: (err as Error).message });
    }
    let decoded: Payload[];
    try {
      decoded = await codec.decode(payloads);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'codec server: payload not decodable');
      return send(res, 422, { error: 'not_decodable', message: (err as Error).message });
    }
    send(res, 200, { payloads: decoded.map(toJson) });
  }

  return {
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function fromJson(p: JsonPayload): Payload {
  if (typeof p !== 'object' || p === null) throw new Error('a payload is not an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new Error(`metadata ${k} is not base64 text`);
    metadata[k] = Buffer.from(v, 'base64');
  }
  return { metadata, data: Buffer.from(typeof p.data === 'string' ? p.data : '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {}))
    metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}
