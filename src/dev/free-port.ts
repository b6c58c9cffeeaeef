// A TCP port on 127.0.0.1 that is free at the moment of asking (the OS picks it; whoever binds it
// next may race another process, which a local tool or test accepts).
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
