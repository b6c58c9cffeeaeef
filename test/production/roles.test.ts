// Each role's certificate against the production profile's Temporal server and its authorizer
// (deploy/temporal/server/): every role is refused a call it may not make, and allowed the calls
// it needs (so the refusals are the authorizer's, not a broken connection). A certificate from
// another CA is refused at the handshake, even with a known subject.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { loadConfig, settingNames, type Config } from '../../src/config.ts';
import { connectionOptions, type TemporalRole } from '../../src/temporal/connection.ts';
import { approvalDecisionSignal } from '../../workflows/sensitive-action/messages.ts';
import { productionEnv } from '../helpers/production.ts';
import { testNamespace } from '../helpers/temporal.ts';

let config: Config;
const connections: Connection[] = [];
const clients = new Map<string, Client>();
let taskQueue: string;

async function connect(options: ConnectionOptions): Promise<Connection> {
  const connection = await Connection.connect({ ...options, connectTimeout: 10_000 });
  connections.push(connection);
  return connection;
}

/** A client presenting `role`'s certificate, chosen the way Airlock's processes choose it. */
async function clientFor(role: TemporalRole | 'ui'): Promise<Client> {
  const cached = clients.get(role);
  if (cached) return cached;
  const options =
    role === 'ui'
      ? // The Temporal UI server's certificate (deploy/temporal/ui/production.yaml).
        connectionOptions({
          ...config,
          TEMPORAL_TLS_CERT_FILE: join(dirname(config.TEMPORAL_TLS_CA_FILE as string), 'ui.pem'),
          TEMPORAL_TLS_KEY_FILE: join(dirname(config.TEMPORAL_TLS_CA_FILE as string), 'ui.key'),
        })
      : connectionOptions(config, role);
  const client = new Client({ connection: await connect(options), namespace: testNamespace });
  clients.set(role, client);
  return client;
}

/** The gRPC status of a refused call (7 is PERMISSION_DENIED, 5 NOT_FOUND), or null if it succeeded. */
async function status(call: Promise<unknown>): Promise<number | null> {
  try {
    await call;
    return null;
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return NOT_FOUND;
    for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number') return code;
    }
    throw err;
  }
}
const DENIED = 7;
const NOT_FOUND = 5;

/** A start that should be refused: a run it did start (no authorizer) is terminated again. */
async function startStatus(start: Promise<{ workflowId: string }>): Promise<number | null> {
  const code = await status(
    start.then(async ({ workflowId }) => {
      const worker = await clientFor('worker');
      await worker.workflow.getHandle(workflowId).terminate('test done');
    }),
  );
  return code;
}
/** Run each check in order: its status must be the one given (its message says which call it was). */
async function expectStatuses(
  checks: [() => Promise<number | null>, number | null, string][],
): Promise<void> {
  for (const [check, want, what] of checks) assert.equal(await check(), want, what);
}
const startAction = (client: Client, workflowId = `action:roles-${randomUUID()}`) =>
  client.workflow.start('sensitiveActionWorkflow', {
    taskQueue,
    workflowId,
    args: [{ requestId: workflowId }],
  });
const startExchange = (client: Client, workflowId: string) =>
  client.workflow.start('agentExchangeWorkflow', { taskQueue, workflowId, args: [{}] });

/** Run `fn` on an action the worker started (no worker runs it); it is terminated after. */
async function withActionRun(fn: (run: { workflowId: string }) => Promise<void>): Promise<void> {
  const worker = await clientFor('worker');
  const run = await startAction(worker);
  try {
    await fn(run);
  } finally {
    await worker.workflow.getHandle(run.workflowId).terminate('test done');
  }
}

before(() => {
  const env = Object.fromEntries(
    Object.entries(productionEnv()).filter(([k]) => settingNames.includes(k)),
  );
  config = loadConfig({ ...env, TEMPORAL_NAMESPACE: testNamespace });
  // No worker polls this queue: started runs only wait, and each test ends what it started.
  taskQueue = `roles-${randomUUID()}`;
});
after(async () => {
  for (const c of connections) await c.close();
});

test('the webhook may signal decisions, and may not start a sensitive action or terminate a run', async () => {
  const webhook = await clientFor('webhook');
  assert.equal(await startStatus(startAction(webhook)), DENIED, 'webhook starts an action');
  await withActionRun(async (run) => {
    const handle = webhook.workflow.getHandle(run.workflowId);
    await expectStatuses([
      [() => status(handle.terminate('by the webhook')), DENIED, 'webhook terminates a run'],
      [
        () => status(handle.signal('revokeGrant', { by: 'x' })),
        DENIED,
        'webhook sends a signal other than a decision',
      ],
      [() => status(handle.fetchHistory()), DENIED, "webhook reads a run's history"],
      [
        () =>
          startStatus(
            webhook.workflow.signalWithStart('sensitiveActionWorkflow', {
              taskQueue,
              workflowId: `action:roles-${randomUUID()}`,
              args: [{}],
              signal: approvalDecisionSignal,
              signalArgs: [{} as never],
            }),
          ),
        DENIED,
        'webhook signal-with-starts an action',
      ],
      // Allowed: a message to a session, started if needed, as a chat message does.
      [
        () =>
          startStatus(
            webhook.workflow.signalWithStart('agentSessionWorkflow', {
              taskQueue,
              workflowId: `session:roles-bot:${randomUUID()}`,
              args: [{}],
              signal: 'sessionMessage',
              signalArgs: [{}],
            }),
          ),
        null,
        'webhook sends a message to a session',
      ],
      // Allowed: the decision signal reaches the run (which no worker runs here).
      [
        () => status(handle.signal(approvalDecisionSignal, {} as never)),
        null,
        'webhook signals approvalDecision',
      ],
    ]);
  });
});

test('the A2A server may start its own exchanges only, and may not signal a decision', async () => {
  const a2a = await clientFor('a2a');
  const worker = await clientFor('worker');
  const own = `exchange:a2a.client-${randomUUID()}`;
  try {
    await withActionRun(async (run) => {
      const action = a2a.workflow.getHandle(run.workflowId);
      const exchange = a2a.workflow.getHandle(own);
      await expectStatuses([
        [
          () => status(action.signal(approvalDecisionSignal, {} as never)),
          DENIED,
          'a2a signals approvalDecision',
        ],
        [() => startStatus(startAction(a2a)), DENIED, 'a2a starts an action'],
        [
          () => startStatus(startExchange(a2a, `exchange:agent-${randomUUID()}`)),
          DENIED,
          "a2a starts an exchange that is not an A2A client's",
        ],
        [() => status(startExchange(a2a, own)), null, 'a2a starts its own exchange'],
        [() => status(exchange.describe()), null, 'a2a reads its exchange'],
        [
          () => status(exchange.fetchHistory()),
          null,
          "a2a reads its exchange's history (a task's answer)",
        ],
        [() => status(action.describe()), DENIED, 'a2a reads an action'],
        [() => status(action.fetchHistory()), DENIED, "a2a reads an action's history"],
      ]);
    });
  } finally {
    await worker.workflow
      .getHandle(own)
      .terminate('test done')
      .catch(() => undefined);
  }
});

test('the CLI (an operator) may read and cancel, and may not start a workflow or decide', async () => {
  const cli = await clientFor('cli');
  assert.equal(await startStatus(startAction(cli)), DENIED, 'the CLI starts an action');
  await withActionRun(async (run) => {
    const handle = cli.workflow.getHandle(run.workflowId);
    assert.equal(
      await status(handle.signal(approvalDecisionSignal, {} as never)),
      DENIED,
      'the CLI signals a decision',
    );
    assert.equal(await status(handle.terminate('by the CLI')), DENIED, 'the CLI terminates');
    assert.equal(await status(handle.describe()), null, 'the CLI reads');
    assert.equal(await status(handle.cancel()), null, 'the CLI cancels');
  });
  // The operator's namespace and search attributes stay readable (scripts/temporal-lib.sh).
  const attributes = await cli.connection.operatorService.listSearchAttributes({
    namespace: testNamespace,
  });
  assert.ok(Object.keys(attributes.customAttributes ?? {}).includes('ApprovalState'));
});

test('the UI server may read, and may not cancel; the worker may not reset a run or administer namespaces', async () => {
  const ui = await clientFor('ui');
  const worker = await clientFor('worker');
  await withActionRun(async (run) => {
    assert.equal(await status(ui.workflow.getHandle(run.workflowId).describe()), null);
    assert.equal(await status(ui.workflow.getHandle(run.workflowId).cancel()), DENIED);
    // Nobody but the server itself resets a run (a reset replays it: issue 19, item 1).
    assert.equal(
      await status(
        worker.connection.workflowService.resetWorkflowExecution({
          namespace: testNamespace,
          workflowExecution: { workflowId: run.workflowId },
          reason: 'by a worker',
          requestId: randomUUID(),
        }),
      ),
      DENIED,
      'the worker resets a run',
    );
  });
  assert.equal(
    await status(
      worker.connection.workflowService.updateNamespace({
        namespace: testNamespace,
        updateInfo: { description: 'changed by a worker' },
      }),
    ),
    DENIED,
  );
  // The worker reads: a run that does not exist is not found, not refused.
  assert.equal(
    await status(worker.workflow.getHandle(`nothing-${randomUUID()}`).describe()),
    NOT_FOUND,
  );
});

/** A client certificate for `cn` signed by the CA in `caDir` (its ca.pem and ca.key). */
function issue(dir: string, caDir: string, cn: string): { crt: Buffer; key: Buffer } {
  const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  sh(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'c.ec']);
  sh(['pkcs8', '-topk8', '-nocrypt', '-in', 'c.ec', '-out', 'c.key']);
  sh(['req', '-new', '-key', 'c.key', '-subj', `/CN=${cn}`, '-out', 'c.csr']);
  const ca = ['-CA', join(caDir, 'ca.pem'), '-CAkey', join(caDir, 'ca.key')];
  sh(['x509', '-req', '-in', 'c.csr', ...ca, '-CAcreateserial', '-days', '1', '-out', 'c.pem']);
  return { crt: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'c.key')) };
}

test('a certificate from another CA is refused, even with a role’s subject; an unknown subject may call nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-rogue-ca-'));
  try {
    const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
    sh(
      ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=rogue CA', '-days', '1'].concat([
        '-out',
        'ca.pem',
      ]),
    );
    const tls = {
      serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME as string,
      serverRootCACertificate: readFileSync(config.TEMPORAL_TLS_CA_FILE as string),
    };
    const rogue = issue(dir, dir, 'airlock-worker');
    await assert.rejects(async () => {
      const connection = await Connection.connect({
        address: config.TEMPORAL_ADDRESS,
        tls: { ...tls, clientCertPair: rogue },
        connectTimeout: 5_000,
      });
      connections.push(connection);
      await connection.workflowService.getSystemInfo({});
    });
    // The right CA, a subject that names no role: connected, and refused every call.
    const stranger = issue(dir, dirname(config.TEMPORAL_TLS_CA_FILE as string), 'stranger');
    const connection = await connect({
      address: config.TEMPORAL_ADDRESS,
      tls: { ...tls, clientCertPair: stranger },
    });
    const client = new Client({ connection, namespace: testNamespace });
    assert.equal(
      await status(client.workflow.getHandle(`nothing-${randomUUID()}`).describe()),
      DENIED,
    );
    assert.equal(await startStatus(startAction(client)), DENIED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
