// The worker's health endpoints for orchestrators: `GET /healthz` answers 200 while the process
// serves (liveness), `GET /readyz` 200 only when the worker is running and its Temporal server and
// Docker engine answer now (readiness), else 503 with what failed, as JSON. Loopback by default.
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type Docker from 'dockerode';
import { serverOptions } from '../http.ts';
import { probeTemporal } from './reachability.ts';

/** What readiness checks. */
export interface HealthDeps {
  worker: Pick<Worker, 'getState'>;
  client: Client;
  docker: Pick<Docker, 'ping'>;
}

const withDeadline = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), ms)),
  ]);

/** Serve /healthz and /readyz on `bind` (`host:port`); resolves once listening. */
export async function startHealthServer(bind: string, deps: HealthDeps): Promise<Server> {
  const server = createServer(serverOptions(), (req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: 'GET only' });
    if (req.url === '/healthz') return send(200, { status: 'ok' });
    if (req.url !== '/readyz') return send(404, { error: 'GET /healthz or /readyz' });
    void (async () => {
      const state = deps.worker.getState();
      const [temporal, docker] = await Promise.all([
        probeTemporal(deps.client),
        withDeadline(deps.docker.ping(), 2_000).then(
          () => 'reachable',
          () => 'unreachable',
        ),
      ]);
      const ready = state === 'RUNNING' && temporal === 'reachable' && docker === 'reachable';
      send(ready ? 200 : 503, {
        status: ready ? 'ready' : 'not ready',
        worker: state,
        temporal,
        docker,
      });
    })();
  });
  const [host, port] = [
    bind.slice(0, bind.lastIndexOf(':')),
    Number(bind.slice(bind.lastIndexOf(':') + 1)),
  ];
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
