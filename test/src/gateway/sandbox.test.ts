// The gateway as the box sees it: a real container of the sandbox image, run by the sandbox driver
// (no network, read-only root, no capabilities, uid 1000) with only the gateway's directory
// bind-mounted, calls the model through the socket with its placeholder key and gets the answer;
// the real key arrived upstream, yet it is nowhere in the box (environment, /proc, files), nor in
// what came back; and TCP from inside fails.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import { SandboxDriver } from '../../../src/sandbox/driver.ts';
import { CANARY, startGatewayFixture, type GatewayFixture } from '../../helpers/gateway.ts';
import { testConfig } from '../../helpers/temporal.ts';
import { assertNoLeak } from '../vault/helpers.ts';

const config = testConfig();
const driver = new SandboxDriver(config.DOCKER_HOST);
const name = `airlock-gateway-test-${randomUUID()}`;
let fx: GatewayFixture | undefined;
after(async () => {
  await driver.remove(name);
  await fx?.close();
});

// Runs inside the box (CommonJS, `node -e`). Knows the socket path and where to try TCP; it is
// never told the key, so it looks for anything shaped like the canary instead.
const probe = (tcpTargets: [string, number][]): string => `
const http = require('node:http');
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');
const post = (p, body) => new Promise((resolve, reject) => {
  const req = http.request({ socketPath: '/gateway/gateway.sock', method: 'POST', path: p,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-placeholder' } }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => resolve({ status: res.statusCode, text }));
  });
  req.on('error', reject);
  req.end(JSON.stringify(body));
});
const tcp = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  s.setTimeout(2000, () => { s.destroy(); resolve('timeout'); });
  s.on('connect', () => { s.destroy(); resolve('connected'); });
  s.on('error', (e) => resolve(e.code));
});
const shaped = /sk-canary-[0-9a-f]+/g;
const found = [];
const scan = (file) => {
  try {
    const st = fs.lstatSync(file);
    if (st.isDirectory()) { for (const f of fs.readdirSync(file)) scan(path.join(file, f)); return; }
    if (!st.isFile() || st.size > 4 * 1024 * 1024) return;
    if ((fs.readFileSync(file, 'latin1').match(shaped) || []).length) found.push(file);
  } catch {}
};
(async () => {
  // A decoy of the key's shape shows the scan would find one.
  fs.writeFileSync('/tmp/decoy', ['sk', 'canary', '00decoy'].join('-'));
  const chat = await post('/v1/chat/completions',
    { model: 'standin-1', messages: [{ role: 'user', content: 'hello from the box' }] });
  const stream = await post('/v1/chat/completions',
    { model: 'standin-1', stream: true, messages: [{ role: 'user', content: 'stream to the box' }] });
  const tcpResults = {};
  for (const [h, p] of ${JSON.stringify(tcpTargets)}) tcpResults[h + ':' + p] = await tcp(h, p);
  for (const f of ['/proc/self/environ', '/proc/1/environ', '/proc/self/cmdline', '/proc/1/cmdline'])
    scan(f);
  for (const d of ['/workspace', '/tmp', '/gateway', '/home', '/etc', '/run', '/var', '/root', '/opt'])
    scan(d);
  console.log(JSON.stringify({ chat, stream, tcp: tcpResults, found,
    env: process.env, environ: fs.readFileSync('/proc/1/environ', 'latin1') }));
})().catch((e) => { console.error(e.stack); process.exit(1); });
`;

test(
  'from inside a sandbox: the model answers through the socket; no key, no TCP',
  { timeout: 120_000 },
  async () => {
    fx = await startGatewayFixture({
      script: [
        { afterUser: 'hello from the box', text: `Hello, box. (upstream saw Bearer ${CANARY})` },
        { afterUser: 'stream to the box', text: 'streamed hello' },
      ],
    });
    const port = Number(new URL(fx.model.baseUrl).port);
    // Where the stand-in really listens (the host's loopback), and the host's other addresses.
    const hostAddresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    const targets: [string, number][] = [
      ['127.0.0.1', port],
      ...hostAddresses.map((a): [string, number] => [a, port]),
      ['1.1.1.1', 443],
    ];
    const result = await driver.run({
      name,
      image: config.AIRLOCK_SANDBOX_IMAGE,
      cmd: ['node', '-e', probe(targets)],
      memoryMb: config.AIRLOCK_SANDBOX_MEMORY_MB,
      pids: config.AIRLOCK_SANDBOX_PIDS,
      mounts: [{ source: dirname(fx.gateway.socketPath), target: '/gateway', readOnly: true }],
      labels: { 'airlock.test': 'gateway' },
      timeoutMs: 90_000,
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const seen = JSON.parse(result.stdout) as {
      chat: { status: number; text: string };
      stream: { status: number; text: string };
      tcp: Record<string, string>;
      found: string[];
    };

    assert.equal(seen.chat.status, 200, seen.chat.text);
    const chat = JSON.parse(seen.chat.text) as { choices: { message: { content: string } }[] };
    assert.equal(chat.choices[0]?.message.content, 'Hello, box. (upstream saw Bearer [redacted])');
    assert.equal(seen.stream.status, 200);
    assert.match(seen.stream.text, /"content":" hello"/);
    assert.match(seen.stream.text, /data: \[DONE\]\n\n$/);
    // The real key went upstream; the box sent only its placeholder.
    assert.deepEqual(
      fx.model.requests.map((r) => r.headers.authorization),
      [`Bearer ${CANARY}`, `Bearer ${CANARY}`],
    );

    for (const [target, outcome] of Object.entries(seen.tcp))
      assert.match(
        outcome,
        /^(ENETUNREACH|ECONNREFUSED|EHOSTUNREACH)$/,
        `TCP to ${target}: ${outcome}`,
      );
    assert.equal(seen.tcp['1.1.1.1:443'], 'ENETUNREACH');
    assert.deepEqual(seen.found, ['/tmp/decoy'], 'nothing but the decoy is shaped like the key');
    assertNoLeak(result.stdout + result.stderr, CANARY, "the box's environment and output");
    assertNoLeak(fx.logText(), CANARY, 'the gateway log');
  },
);
