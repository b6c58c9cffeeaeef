// Where a session's request comes from, on the real dev server with the real policy, vault, demo
// API and action activities (only the sandboxed turn is a stand-in that asks for a refund through
// the session's agentAction update, as the gateway does). A person's message makes a small refund
// that runs; the same refund in a turn another agent's question started is not allowed, and the
// session, not the box, says so. Two people whose messages share one turn are both requesters:
// neither may approve what the turn asked for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sendToAgent } from '../../src/agents/sessions.ts';
import { createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/log.ts';
import {
  agentActionUpdate,
  agentAskUpdate,
  sessionStatusQuery,
  type SessionMessage,
  type SessionSender,
} from '../../workflows/agent-session/messages.ts';
import type { AgentSessionActivities, TurnInput } from '../../workflows/agent-session/types.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { actionFixture, assertOwnClickRefused, decide, people } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { riley, standInTurnWorker } from '../helpers/stand-in-turns.ts';
import { terminateRuns } from '../helpers/temporal.ts';

let fx: ActionFixture;
let stopWorker: (() => Promise<void>) | undefined;
const sessions: string[] = [];
const actions: string[] = [];

/** The stand-in turn: "refund N" asks for a refund of N; "hold" waits until 2 messages queue. */
async function turn(input: TurnInput): ReturnType<AgentSessionActivities['runAgentTurn']> {
  const texts = input.items.flatMap((i) => (i.kind === 'message' ? [i.message.text] : []));
  const handle = fx.client.workflow.getHandle(input.workflowId);
  let reply = '';
  if (texts.includes('hold')) {
    for (let i = 0; i < 600; i++) {
      if ((await handle.query(sessionStatusQuery)).queued >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    reply = 'held';
  }
  const amount = texts.map((t) => /^refund (\d+)$/.exec(t)?.[1]).find(Boolean);
  if (amount) {
    const answer = await handle.executeUpdate(agentActionUpdate, {
      args: [
        {
          turn: input.turn,
          capability: 'refunds-api',
          method: 'POST',
          path: '/refunds',
          body: { amount: Number(amount), currency: 'EUR', order: `O-${input.workflowId}` },
          purpose: 'a refund',
          // What the box might claim is not read: the session sets the origins itself.
          ...{ origins: ['person'], coRequesters: [] },
        },
      ],
    });
    if (answer.id) actions.push(`action:${answer.id}`);
    reply = JSON.stringify(answer);
  }
  if (texts.includes('ask research')) {
    const answer = await handle.executeUpdate(agentAskUpdate, {
      args: [{ turn: input.turn, to: 'research-bot', question: 'What is the damage policy?' }],
    });
    if (answer.id) actions.push(`exchange:${answer.id}`, `action:${answer.id}.question`);
    reply = JSON.stringify(answer);
  }
  return { reply, tokensUsed: input.tokensUsed, boxCreated: false, idleTimeoutMs: 60_000 };
}

before(async () => {
  fx = await actionFixture();
  const deps = createDeps(fx.config, fx.cards, {
    grants: temporalGrants(fx.client),
    logger: createLogger({ level: 'warn' }),
  });
  stopWorker = await standInTurnWorker(fx, deps, turn);
});
after(async () => {
  await terminateRuns(fx.client, [...sessions, ...actions], 'test done');
  await stopWorker?.();
  await fx?.close();
});

const alice: SessionSender = {
  platform: 'teams',
  userId: 'alice',
  aadObjectId: people.alice.aadObjectId,
  tenantId: people.alice.tenantId,
  displayName: 'Alice Approver',
  policyUserId: 'alice',
};
const researchBot: SessionSender = {
  platform: 'agent',
  userId: 'research-bot',
  displayName: 'research-bot (agent)',
  policyUserId: null,
};

let n = 0;
async function send(key: string, from: SessionSender, text: string, extra = {}): Promise<string> {
  const message: SessionMessage = {
    messageId: `m-${process.pid}-${++n}`,
    from,
    text,
    receivedAt: new Date().toISOString(),
    ...extra,
  };
  const id = await sendToAgent(
    fx.client,
    fx.config,
    {
      agentId: 'support-bot',
      conversationKey: key,
      conversation: { platform: from.platform === 'agent' ? 'agent' : 'teams', label: key },
    },
    message,
  );
  if (!sessions.includes(id)) sessions.push(id);
  return id;
}

async function replyOf(workflowId: string, turn: number): Promise<string> {
  const handle = fx.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 600; i++) {
    const status = await handle.query(sessionStatusQuery).catch(() => null);
    const reply = status?.replies.find((r) => r.turn === turn);
    if (reply) return reply.text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} gave no reply for turn ${turn}`);
}

/** Wait until the first turn runs (a message sent later cannot join it). */
async function turnRunning(workflowId: string): Promise<void> {
  const handle = fx.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 600; i++) {
    const status = await handle.query(sessionStatusQuery).catch(() => null);
    if (status && status.turn >= 1) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${workflowId} never started its first turn`);
}

async function startedRequest(workflowId: string): Promise<ActionRequest> {
  const { decodeArrayFromPayloads } =
    await import('@temporalio/common/lib/internal-non-workflow/index.js');
  const events = (await fx.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const [input] = await decodeArrayFromPayloads(
    fx.client.options.loadedDataConverter,
    events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads,
  );
  return (input as { request: ActionRequest }).request;
}

const unique = () => `origins-${process.pid}-${Date.now()}-${++n}`;

test("a person's message: the small refund the turn asks for is allowed and runs", async () => {
  const wf = await send(unique(), riley, 'refund 20');
  const answer = JSON.parse(await replyOf(wf, 1)) as { status: string; id: string };
  assert.equal(answer.status, 'executed');
  const request = await startedRequest(`action:${answer.id}`);
  assert.deepEqual(request.origins, ['person']);
});

test("another agent's question: the same small refund is not allowed, and the reason says why", async () => {
  const key = unique();
  const wf = await send(key, researchBot, 'refund 20', {
    exchange: { workflowId: `exchange:${key}`, from: 'research-bot' },
  });
  const answer = JSON.parse(await replyOf(wf, 1)) as { status: string; id: string; reason: string };
  assert.equal(answer.status, 'denied');
  assert.match(
    answer.reason,
    /rule "refunds-small" allows only requests a person started \(origins: person\); this one was started by another agent/,
  );
  const request = await startedRequest(`action:${answer.id}`);
  assert.deepEqual(request.origins, ['agent']);
});

/**
 * Riley holds a turn; Alice, then Riley, write while it runs, so the next turn has both messages.
 * Returns the id of the request that turn left pending.
 */
async function twoPeopleInOneTurn(aliceText: string, rileyText: string): Promise<string> {
  const key = unique();
  const wf = await send(key, riley, 'hold');
  await turnRunning(wf);
  await send(key, alice, aliceText);
  await send(key, riley, rileyText);
  assert.equal(await replyOf(wf, 1), 'held');
  const answer = JSON.parse(await replyOf(wf, 2)) as { status: string; id: string };
  assert.equal(answer.status, 'pending');
  return answer.id;
}

test('two people in one turn are both requesters: neither may approve what it asked for', async () => {
  const action = `action:${await twoPeopleInOneTurn('please refund my parcel', 'refund 120')}`;
  const request = await startedRequest(action);
  assert.equal(request.requester?.userId, 'riley');
  assert.deepEqual(
    request.coRequesters?.map((r) => r.userId),
    ['alice'],
  );
  const handle = fx.client.workflow.getHandle(action);
  let status = await handle.query(statusQuery);
  for (let i = 0; i < 100 && !(status.state === 'pending' && status.requestHash); i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await handle.query(statusQuery);
  }
  // Alice is a refund approver, but her message was in the turn: her click is refused.
  await decide(handle, people.alice, status.requestHash);
  await decide(handle, people.bob, status.requestHash);
  const outcome = (await handle.result()) as {
    outcome: string;
    decidedBy: { approver: { userId: string } }[];
  };
  assert.equal(outcome.outcome, 'executed');
  await assertOwnClickRefused(handle, outcome.decidedBy, ['bob']);
});

test('two people in one turn: neither may approve the question the turn asks another agent', async () => {
  const step = `action:${await twoPeopleInOneTurn('what does research say?', 'ask research')}.question`;
  const handle = fx.client.workflow.getHandle(step);
  let status = await handle.query(statusQuery).catch(() => null);
  for (let i = 0; i < 200 && !(status?.state === 'pending' && status.requestHash); i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await handle.query(statusQuery).catch(() => null);
  }
  assert.ok(status?.requestHash, `${step} never became pending`);
  await decide(handle, people.alice, status.requestHash);
  for (let i = 0; i < 100 && status.rejectedClicks.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await handle.query(statusQuery);
  }
  assert.deepEqual(
    status.rejectedClicks.map((c) => c.why),
    ['the requester may not approve their own request'],
  );
  assert.equal(status.state, 'pending');
});
