// Who may reach a gateway's socket on the host: the box's user (uid 1000, as the sandbox runs it)
// and the worker, nobody else. Real processes under other uids try to connect; the gateway's
// directory is made reachable from above, so only the gateway's own modes decide. (The box itself
// reaching the socket through the bind mount is sandbox.test.ts.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { SANDBOX_USER } from '../../../src/gateway/types.ts';
import { startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

// The probes run as other users, who may not be able to reach this Node.js binary (a clone in a
// 0700 folder keeps its .cache/bin/node from them). They get their own copy in a world-readable
// temporary folder, so only the gateway's modes decide what they can reach.
let nodeDir: string | undefined;
let nodeBin = process.execPath;
before(() => {
  nodeDir = mkdtempSync(join(tmpdir(), 'airlock-probe-node-'));
  chmodSync(nodeDir, 0o755);
  nodeBin = join(nodeDir, 'node');
  try {
    linkSync(process.execPath, nodeBin);
  } catch {
    copyFileSync(process.execPath, nodeBin);
  }
  chmodSync(nodeBin, 0o755);
});
after(() => {
  if (nodeDir) rmSync(nodeDir, { recursive: true, force: true });
});

// Runs as the given user: asks for the runner's settings, prints the status or the error code.
const probe = `
const http = require('node:http');
const req = http.request({ socketPath: process.argv[1], path: '/v1/agent', timeout: 5000 }, (res) => {
  res.resume();
  res.on('end', () => console.log(String(res.statusCode)));
});
req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
req.on('error', (e) => console.log(e.code));
req.end();
`;

function connectAs(uid: number, gid: number, socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBin, ['-e', probe, socketPath], {
      uid,
      gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`probe exited ${code}: ${err}`)),
    );
  });
}

test('only the box user (and the worker) can connect to a gateway socket; other local users cannot', async () => {
  fx = await startGatewayFixture();
  const socketDir = dirname(fx.gateway.socketPath);
  // Everything above the gateway's directory is open to all: only its own modes decide.
  chmodSync(dirname(socketDir), 0o755);

  assert.equal(await connectAs(SANDBOX_USER.uid, SANDBOX_USER.gid, fx.gateway.socketPath), '200');
  assert.equal(await connectAs(65534, 65534, fx.gateway.socketPath), 'EACCES', 'nobody');
  assert.equal(await connectAs(1001, 1001, fx.gateway.socketPath), 'EACCES', 'uid 1001');
  // Sharing the box's group is not enough: the socket belongs to the box's user.
  assert.equal(await connectAs(1001, SANDBOX_USER.gid, fx.gateway.socketPath), 'EACCES');

  const dir = statSync(socketDir);
  assert.equal(dir.mode & 0o777, 0o710);
  assert.equal(dir.gid, SANDBOX_USER.gid);
  const socket = statSync(fx.gateway.socketPath);
  assert.equal(socket.mode & 0o777, 0o600);
  assert.equal(socket.uid, SANDBOX_USER.uid);

  // A gateway reopened on the same directory (a new worker) restricts its new socket the same way.
  await fx.reopen();
  assert.equal(await connectAs(65534, 65534, fx.gateway.socketPath), 'EACCES');
  assert.equal(await connectAs(SANDBOX_USER.uid, SANDBOX_USER.gid, fx.gateway.socketPath), '200');
});
