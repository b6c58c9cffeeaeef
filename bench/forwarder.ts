// The loopback forwarder's added latency per model call (issue 23): from inside a real box (the
// base image, made as for a harness, so its entrypoint starts the forwarder), the same
// chat-completions request to a real gateway (this tree's, the stand-in model upstream) sent (1)
// straight over the gateway's unix socket, as Airlock's runner does, and (2) to
// 127.0.0.1:<forward port>, as an unmodified HTTP client does. Keep-alive clients and a new
// connection per call, the variants interleaved in rotating order inside the box.
// Usage: node bench/forwarder.ts [rounds=300]
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { ensureAgentBox, removeAgentBox, type AgentBoxSpec } from '../src/sandbox/agent-box.ts';
import { removeAgentWorkspace } from '../src/sandbox/box-cleanup.ts';
import { BOX_FORWARD_PORT } from '../src/sandbox/box-image.ts';
import { SandboxDriver } from '../src/sandbox/driver.ts';
import { execInBox } from '../src/sandbox/exec.ts';
import { startGatewayFixture } from '../test/helpers/gateway.ts';
import { testConfig } from '../test/helpers/temporal.ts';
import { machine, ms, percentile } from './stats.ts';

const rounds = Number(process.argv[2] ?? 300);
const cleanups: (() => Promise<unknown> | void)[] = [];
const cleanup = async (): Promise<void> => {
  for (const c of cleanups.reverse()) await c();
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

// Runs inside the box: `rounds` calls per variant, interleaved, rotating the order each round.
const inBox = (n: number) => `
const http = require('node:http');
const body = JSON.stringify({ model: 'standin-1', messages: [
  { role: 'system', content: 'You help customers with their parcels. '.repeat(20) },
  { role: 'user', content: 'bench: when does parcel A-1001 arrive?' } ] });
const keep = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
const via = { socket: { socketPath: '/gateway/gateway.sock' }, forwarder: { host: '127.0.0.1', port: ${BOX_FORWARD_PORT} } };
const variants = {
  'socket, keep-alive': { ...via.socket, agent: keep() },
  'forwarder, keep-alive': { ...via.forwarder, agent: keep() },
  'socket, new connection': { ...via.socket, agent: false },
  'forwarder, new connection': { ...via.forwarder, agent: false },
};
const call = (o) => new Promise((resolve, reject) => {
  const start = performance.now();
  const req = http.request({ ...o, method: 'POST', path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: 'Bearer airlock-placeholder' } }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => res.statusCode === 200 ? resolve(performance.now() - start)
      : reject(new Error(res.statusCode + ': ' + text.slice(0, 200))));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < 20; i++) for (const k of names) await call(variants[k]);
  for (let r = 0; r < ${n}; r++) {
    const order = names.map((_, j) => names[(j + r) % names.length]);
    for (const k of order) samples[k].push(await call(variants[k]));
  }
  console.log(JSON.stringify(samples));
})().catch((e) => { console.error(e); process.exit(1); });`;

try {
  const config = testConfig();
  const { docker } = new SandboxDriver(config.DOCKER_HOST);
  // A real gateway (the test fixture's: stand-in upstream, key injection, allow-list, budget).
  const fx = await startGatewayFixture({
    script: [{ reusable: true, text: 'It arrives tomorrow before noon.' }],
  });
  cleanups.push(() => fx.close());
  // The stand-in records every request; a bench of thousands need not keep them.
  fx.model.requests.push = () => 0;
  const agentId = `bench-fwd-${randomUUID().slice(0, 8)}`;
  const spec: AgentBoxSpec = {
    agentId,
    sessionId: 'bench',
    workflowId: `session:${agentId}:bench`,
    limits: { memoryMb: 512, cpus: 1, pids: 128 },
    socketDir: dirname(fx.gateway.socketPath),
    image: config.AIRLOCK_SANDBOX_IMAGE,
    harness: true,
  };
  cleanups.push(() => removeAgentWorkspace(docker, agentId));
  cleanups.push(() => removeAgentBox(docker, spec));
  const { containerId } = await ensureAgentBox(docker, spec);
  const run = await execInBox(docker, containerId, ['node', '-e', inBox(rounds)], {
    timeoutMs: 600_000,
  });
  if (run.exitCode !== 0) throw new Error(`the in-box bench failed: ${run.stderr}`);
  const samples = JSON.parse(run.stdout) as Record<string, number[]>;
  const p = (k: string, q: number) => percentile(samples[k] ?? [], q);
  console.log(`Machine: ${machine()}; ${rounds} calls per variant, from inside one box.\n`);
  console.log('| path | p50 | p95 | p99 | added p50 | added p95 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const conn of ['keep-alive', 'new connection']) {
    const base = `socket, ${conn}`;
    for (const k of [base, `forwarder, ${conn}`]) {
      const added = (q: number) => (k === base ? '' : ms(p(k, q) - p(base, q)));
      console.log(
        `| ${k} | ${ms(p(k, 50))} | ${ms(p(k, 95))} | ${ms(p(k, 99))} | ${added(50)} | ${added(95)} |`,
      );
    }
  }
} finally {
  await cleanup();
}
