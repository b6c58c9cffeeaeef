// Fixtures for agent-session tests: the demo policy with the support and research agents renamed
// to ids of this test (so each test has its own workspace volumes), pointed at a scripted stand-in
// model holding a canary key in the vault, a real worker (in-process, or a child process that can
// be killed), and helpers to talk to a session from the CLI side and wait for its replies.
// Everything started is stopped and every box and volume removed in `close`, even after a failure.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Config } from '../../src/config.ts';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import { sendToAgent, sessionStatus } from '../../src/agents/sessions.ts';
import { createDeps } from '../../src/deps.ts';
import {
  startModelStandin,
  type ModelStandin,
  type ScriptStep,
} from '../../src/dev/model-standin.ts';
import type { StandinToolCall } from '../../src/dev/model-wire.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { createLogger } from '../../src/log.ts';
import { captureLogger } from './log.ts';
import { removeAgentWorkspace } from '../../src/sandbox/box-cleanup.ts';
import { SandboxDriver } from '../../src/sandbox/driver.ts';
import { createWorker, workflowsPath } from '../../src/temporal/worker.ts';
import { openVault } from '../../src/vault/open.ts';
import { sessionWorkflowId } from '../../workflows/agent-session/ids.ts';
import type { SessionStatus } from '../../workflows/agent-session/messages.ts';
import {
  statusQuery,
  type ApprovalDecision,
  type ApproverIdentity,
} from '../../workflows/sensitive-action/messages.ts';
import { actionFixture, decide, people, type ActionFixture } from './actions.ts';
import { CANARY } from './gateway.ts';
import type { TimeSkipping } from './temporal.ts';
import { terminateRuns } from './temporal.ts';

export { CANARY };

/** What a session test works with. */
export interface SessionFixture extends ActionFixture {
  model: ModelStandin;
  /** This test's ids for the demo's support and research agents. */
  support: string;
  research: string;
  driver: SandboxDriver;
  /** Everything in-process workers logged, as text. */
  logText(): string;
  /** Start a worker in this process (stopped by `close` too). */
  startSessionWorker(): Promise<{ worker: Worker; stop: () => Promise<void> }>;
  /** Send `text` as Riley from the CLI to `agent` in conversation `key`; the session's id. */
  send(agent: string, key: string, text: string): Promise<string>;
  /** Wait until the session has a reply for a turn after `afterTurn`; its status then. */
  waitForReply(workflowId: string, afterTurn?: number, ms?: number): Promise<SessionStatus>;
  /** Wait until `check(status)` holds. */
  waitForStatus(
    workflowId: string,
    check: (s: SessionStatus) => boolean,
    what: string,
    ms?: number,
  ): Promise<SessionStatus>;
  /** Poll `read` until `check` holds on its value (60 s). */
  waitFor<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T>;
  /** Wait until approval run `workflowId` is pending, then click `choice` on it as `who` (Alice). */
  decide(
    workflowId: string,
    choice?: 'approve' | 'reject',
    extra?: Partial<ApprovalDecision>,
    who?: ApproverIdentity,
  ): Promise<void>;
  /** The session's box container (inspect data), or undefined. */
  box(agent: string): Promise<{ id: string; running: boolean } | undefined>;
}

/**
 * Build the fixture. `policyEdit` may change the policy text further (after the renames);
 * `script` is the stand-in model's script.
 */
export async function sessionFixture(
  script: ScriptStep[],
  policyEdit: (yaml: string) => string = (y) => y,
  /** Config overrides (e.g. another TEMPORAL_ADDRESS). */
  overrides: Record<string, string> = {},
): Promise<SessionFixture> {
  const suffix = randomBytes(4).toString('hex');
  const support = `support-${suffix}`;
  const research = `research-${suffix}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const model = await startModelStandin({ apiKey: CANARY, models: ['airlock-standin'], script });
    cleanups.push(() => model.close());
    const fx = await actionFixture(
      (yaml) =>
        policyEdit(
          yaml
            .replaceAll('support-bot', support)
            .replaceAll('research-bot', research)
            .replaceAll('http://127.0.0.1:4011/v1', model.baseUrl),
        ),
      overrides,
    );
    cleanups.push(() => fx.close());
    await putAgentKeys(fx.config, support, [support, research]);
    const driver = new SandboxDriver(fx.config.DOCKER_HOST);
    const { logger, text: logText } = captureLogger('debug');
    const sessions: string[] = [];
    cleanups.push(async () => {
      await terminateRuns(fx.client, sessions);
      for (const agent of [support, research]) {
        const boxes = await driver.docker.listContainers({
          all: true,
          filters: { label: [`airlock.agent=${agent}`] },
        });
        for (const b of boxes)
          await driver.docker
            .getContainer(b.Id)
            .remove({ force: true })
            .catch(() => undefined);
        await removeAgentWorkspace(driver.docker, agent).catch(() => undefined);
      }
    });

    const startSessionWorker = async () => {
      const deps = createDeps(fx.config, fx.cards, {
        grants: temporalGrants(fx.client),
        logger,
        client: () => Promise.resolve(fx.client),
      });
      const worker = await createWorker({
        config: fx.config,
        logger,
        activities: createActivities(deps),
      });
      const running = worker.run();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        worker.shutdown();
        await running;
        await deps.gateways.closeAll();
      };
      cleanups.push(stop);
      return { worker, stop };
    };

    const waitForStatus: SessionFixture['waitForStatus'] = async (id, check, what, ms = 60_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const last = await sessionStatus(fx.client, id).catch(() => null);
        if (last && check(last)) return last;
        if (Date.now() > deadline)
          throw new Error(
            `timed out after ${ms} ms waiting for ${what}; last status ${JSON.stringify(last)}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const waitFor: SessionFixture['waitFor'] = async (read, check) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const value = await read().catch(() => undefined);
        if (value !== undefined && check(value)) return value;
        if (Date.now() > deadline)
          throw new Error(`timed out; last value ${JSON.stringify(value)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    return {
      ...fx,
      close,
      model,
      support,
      research,
      driver,
      logText,
      startSessionWorker,
      async send(agent, key, text) {
        const id = await sendAsRiley(fx.client, fx.config.TEMPORAL_TASK_QUEUE, agent, key, text);
        if (!sessions.includes(id)) sessions.push(id);
        return id;
      },
      waitForReply: (id, afterTurn = 0, ms) =>
        waitForStatus(
          id,
          (s) => s.replies.some((r) => r.turn > afterTurn) && s.state !== 'working',
          `a reply after turn ${afterTurn}`,
          ms,
        ),
      waitForStatus,
      waitFor,
      async decide(workflowId, choice = 'approve', extra = {}, who = people.alice) {
        const handle = fx.client.workflow.getHandle(workflowId);
        const status = await waitFor(
          () => handle.query(statusQuery),
          (s) => s.state === 'pending',
        );
        await decide(handle, who, status.requestHash, choice, extra);
      },
      async box(agent) {
        const [b] = await driver.docker.listContainers({
          all: true,
          filters: { label: [`airlock.agent=${agent}`] },
        });
        return b ? { id: b.Id, running: b.State === 'running' } : undefined;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The vault entries renamed agents use: the demo refunds token (which the action fixture stored
 * for `support-bot`) re-scoped to `support`, and the stand-in model's canary key for `agents`.
 */
export async function putAgentKeys(
  config: Config,
  support: string,
  agents: string[],
): Promise<void> {
  const vault = openVault(config);
  const refunds = (await vault.resolve('refunds-api-key')) as { secret: string };
  await vault.put({
    name: 'refunds-api-key',
    kind: 'bearer',
    secret: refunds.secret,
    scope: { hosts: ['127.0.0.1:*'], methods: ['POST'], paths: ['/refunds'], agents: [support] },
  });
  await vault.put({
    name: 'model-api-key',
    kind: 'bearer',
    secret: CANARY,
    scope: { hosts: ['127.0.0.1:*'], methods: ['POST'], paths: ['/v1/**'], agents },
  });
}

/** Send `text` as Riley (verified Teams identity) from the CLI to `agent` in conversation `key`. */
export function sendAsRiley(
  client: Client,
  taskQueue: string,
  agent: string,
  key: string,
  text: string,
): Promise<string> {
  const riley = people.riley;
  return sendToAgent(
    client,
    { TEMPORAL_TASK_QUEUE: taskQueue },
    {
      agentId: agent,
      conversationKey: key,
      conversation: { platform: 'cli', label: `CLI (${riley.displayName})` },
    },
    {
      messageId: randomBytes(8).toString('hex'),
      from: {
        platform: 'teams',
        userId: `user-${riley.userId}`,
        aadObjectId: riley.aadObjectId,
        tenantId: riley.tenantId,
        displayName: riley.displayName,
        policyUserId: 'riley',
      },
      text,
      receivedAt: new Date().toISOString(),
    },
  );
}

/**
 * A worker of the fixture's activities on the time-skipping server of `ts`, on a task queue of
 * its own; its gateways close in `ts`'s `after`. `send` talks to `fx.support` as Riley there.
 */
export async function timeSkippingWorker(
  fx: SessionFixture,
  ts: TimeSkipping,
): Promise<{ worker: Worker; send: (key: string, text: string) => Promise<string> }> {
  const env = ts.env;
  const taskQueue = `ts-${randomBytes(4).toString('hex')}`;
  const deps = createDeps(fx.config, fx.cards, {
    grants: temporalGrants(env.client),
    logger: createLogger({ level: 'warn' }),
    client: () => Promise.resolve(env.client),
    config: { ...fx.config, TEMPORAL_TASK_QUEUE: taskQueue },
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: createActivities(deps),
  });
  ts.cleanup(() => deps.gateways.closeAll());
  return {
    worker,
    send: (key, text) => sendAsRiley(env.client, taskQueue, fx.support, key, text),
  };
}

/** The model's `request_action` call `id`: a refund of `body` on the refunds API for `purpose`. */
export function refundCall(id: string, body: Record<string, unknown>, purpose: string) {
  return {
    id,
    name: 'request_action',
    arguments: { capability: 'refunds-api', method: 'POST', path: '/refunds', body, purpose },
  };
}

/**
 * One tool turn of a script, as two steps named `asks` and `says`: on the user's `afterUser` the
 * model makes `call`; given that call's result, it says `text`.
 */
export function toolTurn(
  [asks, says]: [string, string],
  afterUser: string,
  call: StandinToolCall & { id: string },
  text: string,
): ScriptStep[] {
  return [
    { name: asks, afterUser, toolCalls: [call] },
    { name: says, afterToolResult: call.id, text },
  ];
}

/** The session id a CLI conversation `key` with `agent` has. */
export const sessionId = (agent: string, key: string): string => sessionWorkflowId(agent, key);

/** The carrier's damage-policy page on loopback serving `html`; each path asked is added to `hits`. */
export async function startCarrierPage(
  html: string,
  hits: string[] = [],
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/damage-policy`,
  };
}

/** The demo policy names the carrier's exact host:port; `pageUrl`'s stands in for it. */
export const carrierAt = (pageUrl: string) => (yaml: string) =>
  yaml.replaceAll("'127.0.0.1:4012'", `'${new URL(pageUrl).host}'`);

/** The text of the tool result `model` was given for `callId` (empty: none). */
export function toolResultOf(model: ModelStandin, callId: string): string {
  for (const r of model.requests) {
    const messages = (r.body?.['messages'] ?? []) as { role: string; tool_call_id?: string }[];
    const found = messages.find((m) => m.role === 'tool' && m.tool_call_id === callId);
    if (found) return JSON.stringify(found);
  }
  return '';
}
