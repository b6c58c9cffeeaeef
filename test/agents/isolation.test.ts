// What an agent's box can reach, with two sessions of two agents running in real boxes (the
// support agent A, the research agent B): no network at all (TCP to the host's services, to the
// host's own address and to the internet fails, DNS fails), only its own gateway socket (B's
// socket path is not there), exactly its workspace, its gateway directory read-only and a /tmp
// tmpfs mounted; its gateway answers as A whatever a request claims; and the research agent is
// not offered `request_action`, and its gateway refuses actions outright (it holds no credentials).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { join } from 'node:path';
import { GatewayRegistry } from '../../src/agents/gateways.ts';
import { GATEWAY_SOCKET } from '../../src/gateway/server.ts';
import { lazyVault } from '../../src/deps.ts';
import { createLogger } from '../../src/log.ts';
import { workspaceVolumeName } from '../../src/sandbox/box-names.ts';
import { execInBox } from '../../src/sandbox/exec.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { call } from '../helpers/gateway.ts';
import { sessionFixture, type SessionFixture, toolResultOf } from '../helpers/sessions.ts';

const refund = (amount: number, why: string) => ({
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order: 'A-2002', amount, currency: 'EUR', reason: why },
  purpose: `Refund order A-2002 (${amount} EUR): ${why}.`,
});

// Run in box A by its own shell tool, during a turn: a raw action request that claims to be B.
const rawAction = (claimed: string) => `
const http = require('node:http');
const req = http.request(
  { socketPath: '/gateway/gateway.sock', method: 'POST', path: '/v1/actions',
    headers: { 'content-type': 'application/json', 'x-airlock-agent': ${JSON.stringify(claimed)} } },
  (res) => { let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => console.log('RAW', res.statusCode, d)); },
);
req.end(JSON.stringify(${JSON.stringify(refund(20, 'raw request from the box'))}));
`;

// Run in a box: try each TCP target and unix socket, then a DNS lookup; print the results as JSON.
const probe = `
const net = require('node:net'), dns = require('node:dns'), fs = require('node:fs');
const one = (t) => new Promise((done) => {
  const s = net.connect(t);
  const end = (r) => { s.destroy(); done({ ...t, r }); };
  s.setTimeout(3000, () => end('timeout'));
  s.on('connect', () => end('connected'));
  s.on('error', (e) => end(e.code));
});
(async () => {
  const out = [];
  for (const t of JSON.parse(process.env.TARGETS)) out.push(await one(t));
  const lookup = await new Promise((r) => dns.lookup('example.com', (e, a) => r(e ? e.code : 'resolved ' + a)));
  // The directory lets the box pass to its socket but not list it (mode 0710, the box's group).
  let gateway;
  try { gateway = fs.readdirSync('/gateway'); } catch (err) { gateway = err.code; }
  const own = fs.statSync('/gateway/gateway.sock').isSocket();
  console.log(JSON.stringify({ out, lookup, gateway, own }));
})();
`;

// GET /v1/agent through the box's own gateway socket.
const whoAmI = `
require('node:http').get({ socketPath: '/gateway/gateway.sock', path: '/v1/agent' }, (res) => {
  let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => console.log(d));
});
`;

let fx: SessionFixture;
let listener: Server | undefined;
let listened = 0;
const boxes = { a: '', b: '' };
const sessions = { a: '', b: '' };

/** The text of the tool result the model was given for `callId`. */
const toolResult = (callId: string): string => toolResultOf(fx.model, callId);

describe('agent box isolation', { timeout: 240_000 }, () => {
  before(async () => {
    fx = await sessionFixture([
      { name: 'hello-a', afterUser: 'isolation hello A', text: 'Hello from A.' },
      { name: 'hello-b', afterUser: 'isolation hello B', text: 'Hello from B.' },
      {
        name: 'raw',
        afterUser: 'send the raw request',
        toolCalls: [{ id: 'raw1', name: 'shell', arguments: { command: 'node raw-action.cjs' } }],
      },
      { name: 'raw-done', afterToolResult: 'raw1', text: 'Raw request sent.' },
    ]);
    await fx.startSessionWorker();
    listener = createServer((s) => {
      listened += 1;
      s.destroy();
    });
    await new Promise<void>((r) => listener?.listen(0, '0.0.0.0', r));
    sessions.a = await fx.send(fx.support, 'iso-a', 'isolation hello A');
    sessions.b = await fx.send(fx.research, 'iso-b', 'isolation hello B');
    await fx.waitForReply(sessions.a, 0, 120_000);
    await fx.waitForReply(sessions.b, 0, 120_000);
    const a = await fx.box(fx.support);
    const b = await fx.box(fx.research);
    assert.ok(a?.running && b?.running, 'both boxes run');
    boxes.a = a.id;
    boxes.b = b.id;
  });
  after(async () => {
    await new Promise((r) => (listener ? listener.close(r) : r(undefined)));
    await fx?.close();
  });

  const exec = (box: string, script: string, env: Record<string, string> = {}) =>
    execInBox(fx.driver.docker, box, ['node', '-e', script], { timeoutMs: 60_000, env });

  test('box A reaches nothing by network, and not B’s gateway socket', async () => {
    const port = (url: string) => Number(new URL(url).port);
    const hostIp = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    assert.ok(hostIp, 'the host has a non-loopback IPv4 address');
    const b = await fx.driver.docker.getContainer(boxes.b).inspect();
    const bGateway = b.Mounts.find((m) => m.Destination === '/gateway')?.Source;
    assert.ok(bGateway, 'box B has a gateway directory');
    const bSocket = `${bGateway}/gateway.sock`;
    const own = (listener?.address() as { port: number }).port;
    const targets = [
      { host: '127.0.0.1', port: port(fx.model.baseUrl) },
      { host: '127.0.0.1', port: port(fx.api.url) },
      { host: hostIp, port: own },
      { host: hostIp, port: port(fx.model.baseUrl) },
      { host: '172.17.0.1', port: own },
      { host: '1.1.1.1', port: 443 },
      { host: '8.8.8.8', port: 53 },
      { path: bSocket },
    ];
    const run = await exec(boxes.a, probe, { TARGETS: JSON.stringify(targets) });
    assert.equal(run.exitCode, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as {
      out: { host?: string; port?: number; path?: string; r: string }[];
      lookup: string;
      gateway: string[] | string;
      own: boolean;
    };
    assert.equal(seen.out.length, targets.length);
    for (const t of seen.out) {
      assert.notEqual(t.r, 'connected', `box A connected to ${t.path ?? `${t.host}:${t.port}`}`);
      if (t.path) assert.equal(t.r, 'ENOENT', 'B’s socket path does not exist in box A');
      else assert.match(t.r, /^(ENETUNREACH|ECONNREFUSED|EHOSTUNREACH|EADDRNOTAVAIL|timeout)$/);
    }
    assert.notEqual(seen.lookup.slice(0, 8), 'resolved', `DNS answered: ${seen.lookup}`);
    assert.equal(seen.gateway, 'EACCES', 'box A cannot list /gateway');
    assert.equal(seen.own, true, 'box A reaches its own socket in /gateway');
    assert.equal(listened, 0, 'nothing reached the host listener');
    // The same targets are reachable from here: the box, not the targets, is what fails.
    const { connect } = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: hostIp, port: own }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
  });

  test('box A has exactly its workspace, its gateway directory read-only and a /tmp tmpfs', async () => {
    const a = await fx.driver.docker.getContainer(boxes.a).inspect();
    const mounts = a.Mounts.map((m) => ({
      type: m.Type,
      at: m.Destination,
      rw: m.RW,
      from: m.Type === 'volume' ? m.Name : m.Source,
    })).sort((x, y) => x.at.localeCompare(y.at));
    const gatewayDir = mounts.find((m) => m.at === '/gateway')?.from ?? '';
    const aWorkspace = mounts.find((m) => m.at === '/workspace')?.from ?? '';
    assert.deepEqual(mounts, [
      { type: 'bind', at: '/gateway', rw: false, from: gatewayDir },
      { type: 'volume', at: '/workspace', rw: true, from: aWorkspace },
    ]);
    // The session's own workspace (memory: session, the default), not the agent's shared one.
    assert.equal(a.Config.Labels['airlock.session'], `${fx.support}:iso-a`);
    assert.match(aWorkspace, new RegExp(`^${workspaceVolumeName(fx.support)}-s-[0-9a-f]{24}$`));
    const volume = await fx.driver.docker.getVolume(aWorkspace).inspect();
    assert.equal(volume.Labels?.['airlock.memory'], 'session');
    assert.equal(volume.Labels?.['airlock.workflow'], a.Config.Labels['airlock.workflow']);
    const registry = new GatewayRegistry(fx.config, lazyVault(fx.config), createLogger());
    assert.equal(
      gatewayDir,
      registry.socketDir(`${fx.support}:iso-a`),
      'A’s own gateway directory',
    );
    const b = await fx.driver.docker.getContainer(boxes.b).inspect();
    assert.ok(!b.Mounts.some((m) => m.Source === gatewayDir), 'B does not mount A’s directory');
    assert.deepEqual(Object.keys(a.HostConfig.Tmpfs ?? {}), ['/tmp']);
    assert.deepEqual(a.HostConfig.Binds ?? [], []);
    assert.equal(a.HostConfig.NetworkMode, 'none');
  });

  test('box A’s gateway serves agent A: its settings, and its actions whatever they claim', async () => {
    const settings = await exec(boxes.a, whoAmI);
    assert.equal((JSON.parse(settings.stdout) as { id: string }).id, fx.support);
    const other = await exec(boxes.b, whoAmI);
    assert.equal((JSON.parse(other.stdout) as { id: string }).id, fx.research);

    // A's own shell tool, during a turn, posts an action that claims to come from B.
    const write = await execInBox(
      fx.driver.docker,
      boxes.a,
      ['node', '-e', 'require("fs").writeFileSync("raw-action.cjs", process.env.SCRIPT)'],
      { timeoutMs: 30_000, env: { SCRIPT: rawAction(fx.research) } },
    );
    assert.equal(write.exitCode, 0, write.stderr);
    const before = fx.api.refunds.length;
    await fx.send(fx.support, 'iso-a', 'send the raw request');
    await fx.waitForStatus(
      sessions.a,
      (s) => s.replies.some((r) => r.text === 'Raw request sent.') && s.state !== 'working',
      'the raw request turn',
      120_000,
    );
    assert.match(toolResult('raw1'), /RAW 200 .*executed/);
    assert.equal(fx.api.refunds.length, before + 1, 'the small refund ran');
    const action = fx.api.refunds.at(-1)?.idempotencyKey ?? '';
    assert.ok(action.startsWith(`action:${fx.support}.`), action);
    const history = await fx.client.workflow.getHandle(action).fetchHistory();
    const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const [input] = await decodeArrayFromPayloads(fx.client.options.loadedDataConverter, payloads);
    const request = (input as { request: ActionRequest }).request;
    assert.equal(request.agent, fx.support);
    assert.equal(request.sessionId, `${fx.support}:iso-a`);
  });

  test('the research agent is not offered request_action, and its gateway refuses actions', async () => {
    // What the research agent's runner offered the model in its turn.
    const turn = fx.model.requests.find((r) =>
      JSON.stringify(r.body?.['messages'] ?? []).includes('isolation hello B'),
    );
    const tools = ((turn?.body?.['tools'] ?? []) as { function: { name: string } }[]).map(
      (t) => t.function.name,
    );
    assert.ok(tools.includes('fetch'), `the research agent's tools: ${tools.join(', ')}`);
    assert.ok(!tools.includes('request_action'), `the research agent's tools: ${tools.join(', ')}`);

    // A raw request on the research gateway's socket, as anything in box B could send it.
    const registry = new GatewayRegistry(fx.config, lazyVault(fx.config), createLogger());
    const socket = join(registry.socketDir(`${fx.research}:iso-b`), GATEWAY_SOCKET);
    const before = fx.api.refunds.length;
    const answer = await call(socket, 'POST', '/v1/actions', refund(20, 'research tries'));
    assert.equal(answer.status, 403, answer.text);
    assert.equal((answer.json() as { error: { code: string } }).error.code, 'actions_not_allowed');
    assert.equal(fx.api.refunds.length, before);
    // Refused at the gateway: the session never asked for an approval (no child workflow, no update).
    const history = await fx.client.workflow.getHandle(sessions.b).fetchHistory();
    const events = history.events ?? [];
    assert.equal(
      events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length,
      0,
    );
    assert.equal(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length, 0);
  });
});
