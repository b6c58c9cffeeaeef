// What an outside client sees on the wire, against a real A2A server (the Temporal dev server, a
// copy of the shipped policy with one `a2a:` link; no worker, so no exchange runs): public
// cards and the root card without a token, the extended card with one, the version header
// (Major.Minor, none = v0.3 through the SDK's compat handler), and the spec's error codes.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { startA2AServer, type A2AServer } from '../../src/a2a/server.ts';
import { taskIdOf, taskWorkflowId } from '../../src/a2a/tasks.ts';
import { createLogger } from '../../src/log.ts';
import { currentPolicy } from '../../src/policy/current.ts';
import { createClient } from '../../src/temporal/client.ts';
import { repoRoot, testConfig } from '../helpers/temporal.ts';

const token = randomBytes(24).toString('base64url');
// A client id of its own: the open-task cap counts a client's running tasks namespace-wide.
const partner = `wire-${randomBytes(4).toString('hex')}`;
const config = testConfig({ AIRLOCK_A2A_TOKENS: `${partner}=${token}` });
let dir = '';
let client: Client | undefined;
let server: A2AServer | undefined;
const started: string[] = [];

/** POST one JSON-RPC body (a string: sent as it is) to research-bot; the parsed answer. */
async function rpc(body: unknown, headers: Record<string, string> = { 'a2a-version': '1.0' }) {
  const res = await fetch(`${server!.url}/agents/research-bot`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as {
    id: unknown;
    result?: Record<string, unknown>;
    error?: { code: number; message: string };
  };
}

const call = (id: unknown, method: string, params: object = {}) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
});

const message = (messageId = randomUUID()) => ({
  messageId,
  role: 'ROLE_USER',
  parts: [{ text: 'hello' }],
});

describe('A2A on the wire: cards, versions and error codes', { timeout: 120_000 }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-a2a-errors-'));
    const yaml = readFileSync(join(repoRoot, 'policies/airlock.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'airlock.yaml'),
      `${yaml}
  - from: a2a:${partner}
    to: research-bot
    description: The partner's questions to research.
    approval:
      approvers: { groups: [refund-approvers] }
`,
    );
    client = await createClient(config);
    server = await startA2AServer(
      {
        config,
        client,
        policy: currentPolicy(dir),
        logger: createLogger({ level: 'silent' }),
        settleMs: 0,
      },
      0,
    );
  });
  after(async () => {
    for (const id of started)
      await client?.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    await server?.close();
    await client?.connection.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('cards need no token: the agent’s (v1.0 or v0.3 shape) and the root card', async () => {
    const url = `${server!.url}/agents/research-bot/.well-known/agent-card.json`;
    const v1 = (await (await fetch(url, { headers: { 'a2a-version': '1.0.0' } })).json()) as {
      supportedInterfaces: { url: string; protocolVersion: string }[];
      description: string;
      capabilities: { extendedAgentCard: boolean };
    };
    assert.deepEqual(
      v1.supportedInterfaces.map((i) => [i.url, i.protocolVersion]),
      [
        [`${server!.url}/agents/research-bot`, '1.0'],
        [`${server!.url}/agents/research-bot`, '0.3'],
      ],
    );
    assert.equal(v1.capabilities.extendedAgentCard, true);
    assert.doesNotMatch(v1.description, /partner's questions/, 'the link is in the extended card');
    const v03 = (await (await fetch(url)).json()) as Record<string, unknown>;
    assert.equal(v03['url'], `${server!.url}/agents/research-bot`);
    assert.equal(v03['preferredTransport'], 'JSONRPC');
    const root = (await (
      await fetch(`${server!.url}/.well-known/agent-card.json`, {
        headers: { 'a2a-version': '1.0' },
      })
    ).json()) as { skills: { id: string; description: string }[] };
    assert.deepEqual(
      root.skills.map((s) => s.id),
      ['research-bot'],
    );
    assert.match(root.skills[0]!.description, new RegExp(url.replaceAll('.', '\\.')));
    assert.equal(
      (await fetch(`${server!.url}/agents/support-bot/.well-known/agent-card.json`)).status,
      404,
    );
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
  });

  test('the extended card needs the token and holds the link', async () => {
    const anonymous = await fetch(`${server!.url}/agents/research-bot`, {
      method: 'POST',
      headers: { 'a2a-version': '1.0' },
      body: JSON.stringify(call(1, 'GetExtendedAgentCard')),
    });
    assert.equal(anonymous.status, 401);
    const ext = await rpc(call(2, 'GetExtendedAgentCard'));
    assert.match(String(ext.result?.['description']), /Your link: The partner's questions/);
    const old = await rpc(call(3, 'agent/getAuthenticatedExtendedCard'), {});
    assert.match(String(old.result?.['description']), /Your link/);
  });

  test('a body that is not JSON: -32700, id null', async () => {
    const answer = await rpc('{"jsonrpc": "2.0", "id": 4, "method": ');
    assert.equal(answer.error?.code, -32700);
    assert.equal(answer.id, null);
  });

  test('the version header: Major.Minor counts; an unknown one is refused with the request id', async () => {
    for (const v of ['1.0.0', '1.0', '1']) {
      const answer = await rpc(call(`get-${v}`, 'GetTask', { id: 'f'.repeat(32) }), {
        'a2a-version': v,
      });
      assert.equal(answer.error?.code, -32001, `${v}: task not found, so the version passed`);
      assert.equal(answer.id, `get-${v}`);
    }
    const refused = await rpc(call(7, 'GetTask', { id: 'f'.repeat(32) }), { 'a2a-version': '2.0' });
    assert.equal(refused.error?.code, -32009);
    assert.equal(refused.id, 7);
    const query = await fetch(`${server!.url}/agents/research-bot?A2A-Version=1.0`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(call(8, 'GetTask', { id: 'f'.repeat(32) })),
    });
    assert.equal(((await query.json()) as { error: { code: number } }).error.code, -32001);
  });

  test('a v0.3 client (no header): message/send and tasks/get, through the compat handler', async () => {
    const messageId = randomUUID();
    started.push(taskWorkflowId(partner, taskIdOf(partner, messageId)));
    const sent = await rpc(
      call(9, 'message/send', {
        message: {
          kind: 'message',
          messageId,
          role: 'user',
          parts: [{ kind: 'text', text: 'hi' }],
        },
        configuration: { blocking: false },
      }),
      {},
    );
    assert.equal(sent.result?.['kind'], 'task', JSON.stringify(sent));
    assert.equal(sent.result?.['id'], taskIdOf(partner, messageId));
    // (Reading that task back needs a worker to answer its query: the Python test does it.)
    assert.equal(
      (await rpc(call(11, 'tasks/get', { id: 'f'.repeat(32) }), {})).error?.code,
      -32001,
    );
  });

  test('push notifications: -32003 for the config methods, and for a config inside a send', async () => {
    const config = { taskId: 'f'.repeat(32), url: 'https://example.invalid/hook' };
    for (const [method, params, headers] of [
      ['CreateTaskPushNotificationConfig', config, { 'a2a-version': '1.0' }],
      [
        'GetTaskPushNotificationConfig',
        { taskId: 'f'.repeat(32), id: 'x' },
        { 'a2a-version': '1.0' },
      ],
      ['ListTaskPushNotificationConfigs', { taskId: 'f'.repeat(32) }, { 'a2a-version': '1.0' }],
      [
        'DeleteTaskPushNotificationConfig',
        { taskId: 'f'.repeat(32), id: 'x' },
        { 'a2a-version': '1.0' },
      ],
      [
        'tasks/pushNotificationConfig/set',
        { taskId: 'f'.repeat(32), pushNotificationConfig: { url: config.url } },
        {},
      ],
    ] as const) {
      const answer = await rpc(call(method, method, params), headers);
      assert.equal(answer.error?.code, -32003, `${method}: ${JSON.stringify(answer)}`);
    }
    // Inside SendMessage: refused, and nothing started.
    const messageId = randomUUID();
    const send = await rpc(
      call(12, 'SendMessage', {
        message: message(messageId),
        configuration: { taskPushNotificationConfig: config },
      }),
    );
    assert.equal(send.error?.code, -32003, JSON.stringify(send));
    const old = await rpc(
      call(13, 'message/send', {
        message: {
          kind: 'message',
          messageId: randomUUID(),
          role: 'user',
          parts: [{ kind: 'text', text: 'x' }],
        },
        configuration: { pushNotificationConfig: { url: config.url } },
      }),
      {},
    );
    assert.equal(old.error?.code, -32003, JSON.stringify(old));
    await assert.rejects(
      client!.workflow.getHandle(taskWorkflowId(partner, taskIdOf(partner, messageId))).describe(),
      /not found/i,
    );
  });
});
