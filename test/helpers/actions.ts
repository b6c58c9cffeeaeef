// A complete sensitive-action setup for tests on the real dev server: the demo refunds API, a
// real encrypted vault holding its token, the demo policy pointed at that API, an audit log, and a
// card sender that records what would be posted (the chat surface has its own tests).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { ApprovalCardSender } from '../../activities/actions.ts';
import type { Config } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { startDemoApi, type DemoApi } from '../../src/dev/demo-api.ts';
import { createLogger } from '../../src/log.ts';
import { createClient } from '../../src/temporal/client.ts';
import { createActivities } from '../../activities/index.ts';
import { createWorker } from '../../src/temporal/worker.ts';
import { generateDecisionKeyPair } from '../../src/receipts/keys.ts';
import { decisionSigner } from '../../src/receipts/signer.ts';
import { openVault } from '../../src/vault/open.ts';
import {
  approvalDecisionSignal,
  statusQuery,
  type ApprovalDecision,
  type ApproverIdentity,
} from '../../workflows/sensitive-action/messages.ts';
import type {
  CardInput,
  CardRef,
  CardTarget,
  CardView,
} from '../../workflows/sensitive-action/types.ts';
import type { sensitiveActionWorkflow } from '../../workflows/sensitive-action/workflow.ts';
import { repoRoot, runWorker, testConfig } from './temporal.ts';

export const TENANT = '00000000-0000-0000-0000-0000000000aa';
/** The demo Teams identities (see policies/airlock.yaml). */
export const people = {
  alice: {
    platform: 'teams',
    tenantId: TENANT,
    userId: 'alice',
    aadObjectId: '00000000-0000-0000-0000-00000000a11c',
    displayName: 'Alice Approver',
  },
  bob: {
    platform: 'teams',
    tenantId: TENANT,
    userId: 'bob',
    aadObjectId: '00000000-0000-0000-0000-000000000b0b',
    displayName: 'Bob Approver',
  },
  riley: {
    platform: 'teams',
    tenantId: TENANT,
    userId: 'riley',
    aadObjectId: '00000000-0000-0000-0000-0000000000cc',
    displayName: 'Riley Requester',
  },
  mallory: {
    platform: 'teams',
    tenantId: TENANT,
    userId: 'mallory',
    aadObjectId: '00000000-0000-0000-0000-0000000000ee',
    displayName: 'Mallory Outsider',
  },
} satisfies Record<string, ApproverIdentity>;

/** The decision key pair of this test process: fixtures configure it like `make up` does. */
export const testDecisionKeys = generateDecisionKeyPair();
const testSigner = decisionSigner(testDecisionKeys.privateKey);

/** `decision` signed for `workflowId` with the test key, as the webhook signs it. */
export function signed(workflowId: string, decision: ApprovalDecision): ApprovalDecision {
  return testSigner.sign(workflowId, decision);
}

/** A click as the card handler would send it (unsigned; see `signed`). */
export function click(
  who: ApproverIdentity,
  choice: 'approve' | 'reject',
  requestHash: string,
  extra: Partial<ApprovalDecision> = {},
): ApprovalDecision {
  return {
    decisionId: randomUUID(),
    choice,
    approver: who,
    requestHash,
    receivedAt: new Date().toISOString(),
    ...extra,
  };
}

/** Signal `who`'s signed click (`choice`, default approve) on `requestHash` to `handle`'s run. */
export function decide(
  handle: WorkflowHandle,
  who: ApproverIdentity,
  requestHash: string,
  choice: 'approve' | 'reject' = 'approve',
  extra: Partial<ApprovalDecision> = {},
): Promise<void> {
  return handle.signal(
    approvalDecisionSignal,
    signed(handle.workflowId, click(who, choice, requestHash, extra)),
  );
}

/** Wait (10 s) until `workflowId`'s run is pending with its request hash; the handle and status. */
export async function untilPending(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle<typeof sensitiveActionWorkflow>(workflowId);
  for (let i = 0; i < 100; i++) {
    const status = await handle.query(statusQuery);
    if (status.state === 'pending' && status.requestHash) return { handle, status };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never became pending`);
}

/** Poll (5 s) until `handle`'s run has refused `n` clicks; its status then (or the last one). */
export async function untilRefused(handle: WorkflowHandle, n: number) {
  let s = await handle.query(statusQuery);
  for (let i = 0; i < 100 && s.rejectedClicks.length < n; i++) {
    await new Promise((r) => setTimeout(r, 50));
    s = await handle.query(statusQuery);
  }
  return s;
}

/** Assert `decidedBy` names `approvers` (user ids) and the run refused only the requester's click. */
export async function assertOwnClickRefused(
  handle: WorkflowHandle,
  decidedBy: { approver: { userId: string } }[],
  approvers: string[],
  message?: string,
): Promise<void> {
  assert.deepEqual(
    decidedBy.map((d) => d.approver.userId),
    approvers,
    message,
  );
  assert.deepEqual(
    (await handle.query(statusQuery)).rejectedClicks.map((c) => c.why),
    ['the requester may not approve their own request'],
    message,
  );
}

export { refundRequest } from './requests.ts';

/**
 * The connector the recording card sender's cards live on: a loopback address of this test process
 * alone (port 9, where nothing listens), so a late arrival in another test file of the suite (they
 * share the test namespace) can never have a card copy shown on this process's requests.
 */
export const recordingConnector = `http://127.0.0.${2 + (process.pid % 250)}:9/_connector`;

/** A card sender that records posts (and what each was made from) and updates. */
export function recordingCards(): ApprovalCardSender & {
  posted: CardRef[];
  inputs: Map<string, CardInput>;
  updates: { cards: CardRef[]; view: CardView; findings?: CardInput['findings'] }[];
} {
  const copiesOf = new Map<string, number>(); // cards posted per workflow (O(1) per post)
  const rec = {
    posted: [] as CardRef[],
    /** The input each posted card was made from, by message id. */
    inputs: new Map<string, CardInput>(),
    updates: [] as { cards: CardRef[]; view: CardView; findings?: CardInput['findings'] }[],
    plan: () =>
      Promise.resolve([
        {
          platform: 'teams' as const,
          conversationId: 'test',
          serviceUrl: recordingConnector,
          audience: 'channel',
        },
      ]),
    post: (input: CardInput & { target: CardTarget }) => {
      const { workflowId, target } = input;
      // The first card of a request is `card-<workflowId>`; copies shown later get a number.
      const copies = copiesOf.get(workflowId) ?? 0;
      copiesOf.set(workflowId, copies + 1);
      const ref: CardRef = {
        platform: 'teams',
        conversationId: target.conversationId,
        messageId: copies === 0 ? `card-${workflowId}` : `card-${workflowId}-${copies}`,
        ...(target.serviceUrl ? { serviceUrl: target.serviceUrl } : {}),
        audience: target.audience,
      };
      rec.posted.push(ref);
      rec.inputs.set(ref.messageId, input);
      return Promise.resolve(ref);
    },
    update: ({ cards, view, findings }: CardInput & { cards: CardRef[]; view: CardView }) => {
      rec.updates.push({ cards, view, ...(findings ? { findings } : {}) });
      return Promise.resolve();
    },
  };
  return rec;
}

/** Everything a sensitive-action test needs. */
export interface ActionFixture {
  config: Config;
  client: Client;
  api: DemoApi;
  cards: ReturnType<typeof recordingCards>;
  dir: string;
  startWorker(): Promise<{ worker: Worker; stop(): Promise<void> }>;
  close(): Promise<void>;
}

/** Build the fixture; `policyEdit` may rewrite the demo policy text (e.g. a short expiry). */
export async function actionFixture(
  policyEdit: (yaml: string) => string = (y) => y,
  overrides: Record<string, string> = {},
): Promise<ActionFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-actions-'));
  const token = `demo-token-${randomBytes(8).toString('hex')}`;
  const api = await startDemoApi({ port: 0, token });
  mkdirSync(join(dir, 'policies'));
  const policy = readFileSync(join(repoRoot, 'policies/airlock.yaml'), 'utf8').replaceAll(
    'http://127.0.0.1:4010',
    api.url,
  );
  writeFileSync(join(dir, 'policies/airlock.yaml'), policyEdit(policy));
  const config = testConfig({
    AIRLOCK_DATA_DIR: dir,
    AIRLOCK_POLICY_DIR: join(dir, 'policies'),
    AIRLOCK_VAULT_KEY: randomBytes(32).toString('base64'),
    AIRLOCK_AUDIT_FILE: join(dir, 'audit.jsonl'),
    AIRLOCK_DECISION_SIGNING_KEY: testDecisionKeys.privateKey,
    AIRLOCK_DECISION_PUBLIC_KEYS: testDecisionKeys.publicKey,
    ...overrides,
  });
  await openVault(config).put({
    name: 'refunds-api-key',
    kind: 'bearer',
    secret: token,
    scope: {
      hosts: ['127.0.0.1:*'],
      methods: ['POST'],
      paths: ['/refunds'],
      agents: ['support-bot'],
    },
  });
  const cards = recordingCards();
  const client = await createClient(config);
  const startWorker = async () => {
    const worker = await createWorker({
      config,
      logger: createLogger({ level: 'warn' }),
      activities: createActivities(createDeps(config, cards, { grants: temporalGrants(client) })),
    });
    return { worker, stop: runWorker(worker) };
  };
  return {
    config,
    client,
    api,
    cards,
    dir,
    startWorker,
    close: async () => {
      await client.connection.close();
      await api.close();
    },
  };
}

/**
 * An action fixture and its worker for one test file: `before` builds both and hands the fixture
 * to `set`; `after` stops whatever started, also when set-up failed half-way.
 */
export function actionWorkerHooks(
  set: (fx: ActionFixture) => void,
  policyEdit?: (yaml: string) => string,
): void {
  let fx: ActionFixture | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  before(async () => {
    fx = await actionFixture(policyEdit);
    worker = await fx.startWorker();
    set(fx);
  });
  after(async () => {
    await worker?.stop();
    await fx?.close();
  });
}

/**
 * `actionWorkerHooks` with the demo API behind a proxy of the test's own: `forward` gets every
 * request to the API (with its body read); `set` gets the fixture and the API's real address.
 * `after` runs `cleanups` first, then stops the worker, the fixture and the proxy.
 */
export function proxiedActionHooks(
  forward: (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown,
  set: (fx: ActionFixture, api: string) => void,
  cleanups: (() => Promise<unknown>)[] = [],
): void {
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forward(req, res, Buffer.concat(chunks)));
  });
  let fx: ActionFixture | undefined;
  let worker: { stop(): Promise<void> } | undefined;
  before(async () => {
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    let api = '';
    fx = await actionFixture((yaml) =>
      yaml.replace(/baseUrl: (http:\/\/127\.0\.0\.1:\d+)/, (_, url: string) => {
        api = url;
        return `baseUrl: ${proxyUrl}`;
      }),
    );
    worker = await fx.startWorker();
    set(fx, api);
  });
  after(async () => {
    for (const c of cleanups) await c().catch(() => undefined);
    await worker?.stop();
    await fx?.close();
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
  });
}

/** Alice's Approve click as the Agents Playground posts it to the Teams webhook. */
export function playgroundApproveClick(workflowId: string, requestHash: string) {
  const alice = people.alice;
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: 'http://localhost:56150/_connector',
    from: { id: `user-${alice.userId}`, name: alice.displayName, aadObjectId: alice.aadObjectId },
    conversation: {
      isGroup: true,
      conversationType: 'groupChat',
      tenantId: alice.tenantId,
      id: 'airlock-approvals-chat',
    },
    recipient: { id: '00000000-0000-0000-0000-00000000b071', name: 'Airlock' },
    channelData: { tenant: { id: alice.tenantId } },
    replyToId: '1',
    value: { actionId: 'approval:approve', value: JSON.stringify({ workflowId, requestHash }) },
  };
}
