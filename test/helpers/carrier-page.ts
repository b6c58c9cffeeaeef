// The carrier's website the research agent reads through its gateway in the end-to-end stories:
// one HTML page on 127.0.0.1 and a free port, whatever path is asked for.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running page: its `/damage-policy` URL, and how to stop it. */
export interface CarrierPage {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serve `html` until `close()`. */
export async function startCarrierPage(html: string): Promise<CarrierPage> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/damage-policy`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
