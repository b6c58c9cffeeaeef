// The loopback forwarder and the harness image check on the real Docker engine with the project's
// base image: a box made for a harness (a policy-named image) runs the image's own command with the
// forwarder on 127.0.0.1:BOX_FORWARD_PORT, which reaches the gateway socket while every other TCP
// destination stays unreachable and nothing listens beyond loopback; an image that is absent, or
// lacks the runner contract's label, is refused before a box is made. The forwarder itself is also
// tested on the host, against a unix-socket server. Everything started is removed, even on failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { ensureAgentBox } from '../../../src/sandbox/agent-box.ts';
import { BOX_FORWARD_PORT, RUNNER_CONTRACT_LABEL } from '../../../src/sandbox/box-image.ts';
import { execInBox } from '../../../src/sandbox/exec.ts';
import { boxTesting } from '../../helpers/agent-box.ts';

const { config, docker, withBoxes } = boxTesting();
const forwardScript = new URL('../../../sandbox/src/forward.js', import.meta.url).pathname;

/** An HTTP server on `socketPath` answering every request with its method and path. */
async function socketEcho(socketPath: string): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, path: req.url, body }));
    });
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  chmodSync(socketPath, 0o666);
  return server;
}

const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/** A free loopback port (listened on, then released). */
async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Run sandbox/src/forward.js as the entrypoint does; resolves once it wrote its ready file. */
async function runForwarder(
  dir: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> }> {
  const ready = join(dir, 'ready');
  const child = spawn(process.execPath, [forwardScript], {
    env: { AIRLOCK_GATEWAY_SOCKET: join(dir, 'gw.sock'), AIRLOCK_FORWARD_READY: ready, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; stderr: string }>((r) =>
    child.on('exit', (code) => r({ code, stderr })),
  );
  for (let i = 0; i < 200 && !existsSync(ready) && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 25));
  return { child, exited };
}

/** POST `body` to 127.0.0.1:`port` at `path`; the answer's text, or the connection's error. */
function post(port: number, path: string, body: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the forwarder pipes loopback TCP to the socket, both ways, and listens on loopback only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-fwd-'));
  const echo = await socketEcho(join(dir, 'gw.sock'));
  const port = await freePort();
  const { child, exited } = await runForwarder(dir, { AIRLOCK_FORWARD_PORT: String(port) });
  try {
    assert.ok(existsSync(join(dir, 'ready')), 'the forwarder says it listens');
    const big = 'x'.repeat(300_000);
    const seen = JSON.parse(await post(port, '/v1/chat/completions', big)) as {
      method: string;
      path: string;
      body: string;
    };
    assert.deepEqual(
      { ...seen, body: seen.body.length },
      { method: 'POST', path: '/v1/chat/completions', body: big.length },
    );
    // Loopback only: the host's other addresses are not served.
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (other) {
      const refused = await new Promise<string>((r) => {
        const s = connect({ host: other.address, port });
        s.on('connect', () => (s.destroy(), r('connected')));
        s.on('error', (e: NodeJS.ErrnoException) => r(String(e.code)));
      });
      assert.equal(refused, 'ECONNREFUSED');
    }
  } finally {
    child.kill();
    await exited;
    await closeServer(echo);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a forwarder with no gateway behind it closes the connection instead of hanging', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-fwd-'));
  const port = await freePort();
  const { child, exited } = await runForwarder(dir, { AIRLOCK_FORWARD_PORT: String(port) });
  try {
    await assert.rejects(post(port, '/v1/agent', ''), (err: NodeJS.ErrnoException) => {
      assert.match(`${err.code} ${err.message}`, /ECONNRESET|EPIPE|socket hang up/);
      return true;
    });
  } finally {
    child.kill();
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the forwarder refuses a port that is not one, and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-fwd-'));
  try {
    for (const port of ['', '70000', 'http']) {
      const { exited } = await runForwarder(dir, { AIRLOCK_FORWARD_PORT: port });
      const { code, stderr } = await exited;
      assert.equal(code, 1, port);
      assert.match(stderr, /AIRLOCK_FORWARD_PORT must be a port number/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Runs inside the box: the gateway through the forwarder, other TCP destinations, the listeners.
const probe = `
const net = require('node:net');
const fs = require('node:fs');
const tryConnect = (host, port) => new Promise((done) => {
  const s = net.connect({ host, port, timeout: 3000 });
  s.on('connect', () => { s.destroy(); done('connected'); });
  s.on('timeout', () => { s.destroy(); done('timeout'); });
  s.on('error', (e) => done(e.code));
});
// /proc/net/tcp: local address (hex ip:port) of each socket in state 0A (LISTEN).
const listening = (f) => fs.readFileSync(f, 'utf8').split('\\n').slice(1)
  .map((l) => l.trim().split(/\\s+/)).filter((c) => c[3] === '0A').map((c) => c[1]);
(async () => {
  const res = await fetch('http://127.0.0.1:${BOX_FORWARD_PORT}/v1/agent?from=box');
  console.log(JSON.stringify({
    gateway: await res.json(),
    outside: await tryConnect('10.255.255.1', 80),
    publicDns: await tryConnect('1.1.1.1', 53),
    hostName: await tryConnect('example.com', 443),
    listen4: listening('/proc/net/tcp'),
    listen6: fs.existsSync('/proc/net/tcp6') ? listening('/proc/net/tcp6') : [],
    env: process.env.AIRLOCK_FORWARD_PORT,
  }));
})();`;

test('a harness box reaches the gateway over loopback TCP and nothing else', async () => {
  await withBoxes(async (boxes) => {
    const spec = boxes.spec({ harness: true });
    const echo = await socketEcho(join(spec.socketDir, 'gateway.sock'));
    try {
      const { containerId } = await ensureAgentBox(docker, spec);
      const info = await docker.getContainer(containerId).inspect();
      // The image's own command (the base image's: the runner), run through its entrypoint.
      assert.deepEqual(info.Config.Entrypoint, ['/bin/sh', '/app/entrypoint.sh']);
      assert.deepEqual(info.Config.Cmd, ['/usr/local/bin/node', '/app/runner.js']);
      assert.ok(info.Config.Env.includes(`AIRLOCK_FORWARD_PORT=${BOX_FORWARD_PORT}`));
      // The same hardening as every box.
      assert.equal(info.HostConfig.NetworkMode, 'none');
      assert.equal(info.HostConfig.ReadonlyRootfs, true);
      assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
      assert.equal(info.Config.User, '1000:1000');

      const r = await execInBox(docker, containerId, ['node', '-e', probe], { timeoutMs: 30_000 });
      assert.equal(r.exitCode, 0, r.stderr);
      const seen = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual(seen.gateway, { method: 'GET', path: '/v1/agent?from=box', body: '' });
      assert.equal(seen.outside, 'ENETUNREACH');
      assert.equal(seen.publicDns, 'ENETUNREACH');
      assert.equal(seen.hostName, 'EAI_AGAIN');
      // Only the forwarder listens, and only on 127.0.0.1 (0100007F), port 4141 (102D).
      const hexPort = BOX_FORWARD_PORT.toString(16).toUpperCase().padStart(4, '0');
      assert.deepEqual(seen.listen4, [`0100007F:${hexPort}`]);
      assert.deepEqual(seen.listen6, []);
    } finally {
      await closeServer(echo);
    }
  });
});

test('a base-image box gets no forwarder: the runner speaks the socket itself', async () => {
  await withBoxes(async (boxes) => {
    const { containerId } = await ensureAgentBox(docker, boxes.spec());
    const info = await docker.getContainer(containerId).inspect();
    assert.ok(!info.Config.Env.some((e) => e.startsWith('AIRLOCK_FORWARD_PORT=')));
    const r = await execInBox(
      docker,
      containerId,
      [
        'node',
        '-e',
        `console.log(require('fs').readFileSync('/proc/net/tcp','utf8').split('\\n').length)`,
      ],
      { timeoutMs: 20_000 },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      '2',
      'no TCP socket at all: the header line and the last newline',
    );
  });
});

/** Build `tag` FROM `from` with `labels` (the classic builder: no registry, no network). */
async function buildLabelled(
  dockerApi: Docker,
  tag: string,
  from: string,
  labels: Record<string, string>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-img-'));
  try {
    const lines = Object.entries(labels).map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`);
    writeFileSync(join(dir, 'Dockerfile'), [`FROM ${from}`, ...lines, ''].join('\n'));
    const stream = await dockerApi.buildImage({ context: dir, src: ['Dockerfile'] }, { t: tag });
    await new Promise<void>((resolve, reject) =>
      dockerApi.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
        const failed = err ?? out.find((o) => o.error);
        if (failed) reject(failed instanceof Error ? failed : new Error(failed.error));
        else resolve();
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an image that is absent or lacks the runner contract is refused before a box is made', async () => {
  const suffix = randomUUID().slice(0, 8);
  const wrongVersion = `airlock-test-contract0:${suffix}`;
  const noLabel = `airlock-test-nolabel:${suffix}`;
  try {
    await buildLabelled(docker, wrongVersion, config.AIRLOCK_SANDBOX_IMAGE, {
      [RUNNER_CONTRACT_LABEL]: '0',
    });
    await buildLabelled(docker, noLabel, 'scratch', { 'airlock.test': 'no contract' });
    await withBoxes(async (boxes) => {
      const cases: [string, string, RegExp][] = [
        [wrongVersion, 'sandbox_image_no_contract', /found "0".*FROM Airlock's base image/],
        [
          noLabel,
          'sandbox_image_no_contract',
          /runner contract \(label airlock\.runner-contract=1, absent\)/,
        ],
        [`airlock-test-absent:${suffix}`, 'sandbox_image_missing', /not found on the Docker host/],
      ];
      for (const [image, code, message] of cases) {
        const spec = boxes.spec({ image, harness: true });
        await assert.rejects(ensureAgentBox(docker, spec), (err: Error & { code?: string }) => {
          assert.equal(err.code, code, image);
          assert.match(err.message, message);
          return true;
        });
        const made = await docker.listContainers({
          all: true,
          filters: { label: [`airlock.agent=${spec.agentId}`] },
        });
        assert.deepEqual(made, [], `no box made from ${image}`);
      }
    });
  } finally {
    for (const tag of [wrongVersion, noLabel])
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
  }
});
