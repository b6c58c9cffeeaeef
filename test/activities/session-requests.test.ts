// The fast path of an allowed MCP call (issue 23: an allowed call adds ≤ 10 ms), on the real dev
// server with the real policy, audit log, hub and an SDK-written stdio MCP server; only the
// sandboxed turn is a stand-in that asks through the turn activity's own requestAction, as the
// gateway does. A call a rule allows at once runs in the activity: once, audited like the workflow
// path's allowed action (with the session's workflow id), and sent to the session as a lookup that
// the next approve request's card carries. An approve rule, and an allow rule whose origins the
// turn does not satisfy, go the workflow path as before. A turn delivered again does not call the
// tool twice.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { turnId } from '../../activities/agent-session.ts';
import { lookupsSent, turnRequests, type LookupChains } from '../../activities/session-requests.ts';
import { requestAction } from '../../src/actions/request.ts';
import { sendToAgent } from '../../src/agents/sessions.ts';
import type { AuditRecord } from '../../src/audit/log.ts';
import { createDeps } from '../../src/deps.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { createLogger } from '../../src/log.ts';
import type { McpHub } from '../../src/mcp/types.ts';
import { sessionStatusQuery } from '../../workflows/agent-session/messages.ts';
import type { AgentSessionActivities, TurnInput } from '../../workflows/agent-session/types.ts';
import { actionFixture, untilPending, type ActionFixture } from '../helpers/actions.ts';
import { riley, standInReply, standInTurnWorker } from '../helpers/stand-in-turns.ts';
import { testServerScript } from '../helpers/mcp-servers/servers.ts';
import { terminateRuns } from '../helpers/temporal.ts';

let fx: ActionFixture | undefined;
let hub: McpHub | undefined;
let stopWorker: (() => Promise<void>) | undefined;
let audit: ReturnType<typeof createDeps>['audit'] | undefined;
const started: string[] = [];
const chains: LookupChains = new Map();
const f = () => fx as ActionFixture;
let callsFile = '';

/** Calls of `tool` the server received. */
const calls = (tool: string): number =>
  existsSync(callsFile)
    ? readFileSync(callsFile, 'utf8')
        .split('\n')
        .filter((l) => l === tool).length
    : 0;

/** The policy: echo allowed; big allowed only for agents' turns, else (like write_note) Alice. */
function writePolicy(dir: string): void {
  callsFile = join(dir, 'fast-calls.txt');
  const json = JSON.stringify;
  writeFileSync(
    join(dir, 'policies/fast.yaml'),
    `
agents:
  - id: fast-bot
    sensitivity: action
    capabilities: [mcp:fastnotes]
    talkers: { users: [riley] }
mcpServers:
  - id: fastnotes
    command:
      command: ${json(process.execPath)}
      args: [${json(testServerScript)}]
      env: { CALLS_FILE: ${json(callsFile)}, NOTES_FILE: ${json(join(dir, 'fast-notes.txt'))} }
    tools: [echo, write_note, big]
    timeout: 20s
rules:
  - { id: fast-echo, capability: mcp:fastnotes, tool: echo, decision: allow }
  - { id: fast-big-agents, capability: mcp:fastnotes, tool: big, decision: allow, origins: [agent] }
  - id: fast-write
    capability: mcp:fastnotes
    tool: [write_note, big]
    decision: approve
    approval: { approvers: { users: [alice] }, expiry: { after: 1h } }
`,
  );
}

/**
 * The stand-in turn: each " ; "-separated "<tool> <json>" of a message is asked through the turn
 * activity's requestAction; "fail-once" fails the turn's first attempt there (a box that died).
 */
function standIn(deps: ReturnType<typeof createDeps>) {
  return async (input: TurnInput): ReturnType<AgentSessionActivities['runAgentTurn']> => {
    const ctx = Context.current();
    const runId = ctx.info.workflowExecution?.runId ?? '';
    const tag = turnId(input, runId);
    const logger = createLogger({ level: 'warn' });
    const client = () => Promise.resolve(f().client);
    const hooks = turnRequests({ ...deps, client, logger }, input, tag, runId, chains);
    const replies: unknown[] = [];
    for (const item of input.items) {
      if (item.kind !== 'message') continue;
      for (const part of item.message.text.split(' ; ')) {
        if (part === 'fail-once') {
          if (ctx.info.attempt === 1) throw new Error('the box died mid-turn');
          continue;
        }
        const [tool, ...rest] = part.split(' ');
        const answer = await hooks.requestAction({
          agentId: 'fast-bot',
          sessionId: input.sessionId,
          turn: tag,
          capability: 'mcp:fastnotes',
          method: 'POST',
          path: `/${tool}`,
          body: JSON.parse(rest.join(' ')) as unknown,
          purpose: `the person asked for ${tool}`,
        });
        if (answer.status === 'pending') started.push(`action:${answer.id}`);
        replies.push(answer);
      }
    }
    await lookupsSent(chains, input.workflowId);
    return {
      reply: JSON.stringify(replies),
      tokensUsed: input.tokensUsed,
      boxCreated: false,
      idleTimeoutMs: 60_000,
    };
  };
}

before(async () => {
  fx = await actionFixture();
  writePolicy(fx.dir);
  const deps = createDeps(fx.config, fx.cards, {
    grants: temporalGrants(fx.client),
    logger: createLogger({ level: 'warn' }),
  });
  hub = deps.mcp;
  audit = deps.audit;
  stopWorker = await standInTurnWorker(fx, deps, standIn(deps));
});
after(async () => {
  await terminateRuns(fx?.client, started, 'test done');
  await stopWorker?.();
  await hub?.close();
  await fx?.close();
});

let n = 0;
const unique = () => `fast-${process.pid}-${Date.now()}-${++n}`;

async function send(text: string): Promise<string> {
  const key = unique();
  const id = await sendToAgent(
    f().client,
    f().config,
    { agentId: 'fast-bot', conversationKey: key, conversation: { platform: 'teams', label: key } },
    { messageId: `m-${key}`, from: riley, text, receivedAt: new Date().toISOString() },
  );
  started.push(id);
  return id;
}

/** The stand-in's reply to turn `turnNo` of `workflowId` (bounded wait), parsed. */
const replyOf = (workflowId: string, turnNo: number) =>
  standInReply(f().client, workflowId, turnNo);

const recordsOf = async (workflowId: string): Promise<AuditRecord[]> =>
  ((await audit?.read()) ?? []).filter((r) => r.workflowId === workflowId);

/** A record as a reviewer compares it: what it says, not where it sits in the chain. */
const gist = (r: AuditRecord) => ({
  type: r.type,
  agent: r.agent,
  capability: r.capability,
  requestHash: r.requestHash,
  policyRule: r.policyRule,
  policyHash: r.policyHash,
  detail: Object.keys(r.detail ?? {}).sort(),
});

test('an allowed call runs once on the fast path, audited as the workflow path audits it, no action workflow', async () => {
  const before = calls('echo');
  // Unique: the workflow path's request id is the request's hash, and the server keeps ids.
  const message = `where is A-1001? (${unique()})`;
  const wf = await send(`echo ${JSON.stringify({ message })}`);
  const [answer] = await replyOf(wf, 1);
  assert.equal(answer?.['status'], 'executed', JSON.stringify(answer));
  assert.equal((answer?.['result'] as { body?: string }).body, `echo: ${message}`);
  assert.equal(calls('echo'), before + 1);
  const status = await f().client.workflow.getHandle(wf).query(sessionStatusQuery);
  assert.deepEqual(status.pendingActions, []);

  const fast = await recordsOf(wf);
  assert.deepEqual(
    fast.map((r) => r.type),
    ['requested', 'allowed', 'executed'],
  );
  const claim = ((await audit?.read()) ?? []).filter(
    (r) => r.type === 'execution-claimed' && r.workflowId?.startsWith(`mcp:${wf}:`),
  );
  assert.equal(claim.length, 1);

  // The same request through the workflow path (an action workflow of its own).
  const { workflowId, handle } = await requestAction(f().client, f().config, {
    agent: 'fast-bot',
    capability: 'mcp:fastnotes',
    method: 'POST',
    path: '/echo',
    body: { message },
    requester: { platform: 'teams', userId: 'riley', policyUserId: 'riley' },
    origins: ['person'],
    purpose: 'the person asked for echo',
  });
  started.push(workflowId);
  assert.equal((await handle.result()).outcome, 'executed');
  const slow = await recordsOf(workflowId);
  const claimed = slow.find((r) => r.type === 'execution-claimed');
  assert.deepEqual(
    [...fast, ...claim].map(gist),
    [...slow.filter((r) => r !== claimed), claimed].map((r) => gist(r as AuditRecord)),
  );
  assert.deepEqual(
    fast.map((r) => r.detail?.['reason']),
    slow.filter((r) => r !== claimed).map((r) => r.detail?.['reason']),
  );
});

test('the call is a lookup of the turn: in the session history, and on the next approve request’s card', async () => {
  const echoes = calls('echo');
  const notes = calls('write_note');
  const wf = await send(
    'echo {"message":"A-1001 costs 42 EUR"} ; write_note {"text":"refund A-1001"}',
  );
  const [looked, asked] = await replyOf(wf, 1);
  assert.equal(looked?.['status'], 'executed');
  assert.equal(asked?.['status'], 'pending', 'an approve rule goes the workflow path');
  assert.equal(calls('echo'), echoes + 1);
  assert.equal(calls('write_note'), notes, 'nothing runs before the approval');
  const action = `action:${String(asked?.['id'])}`;
  await untilPending(f().client, action);
  const card = f().cards.inputs.get(`card-${action}`);
  assert.deepEqual(card?.request.context?.lookups, [
    {
      server: 'fastnotes',
      tool: 'echo',
      arguments: { message: 'A-1001 costs 42 EUR' },
      result: 'echo: A-1001 costs 42 EUR',
      truncated: false,
    },
  ]);
  const history = await f().client.workflow.getHandle(wf).fetchHistory();
  const signals = (history.events ?? []).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'agentLookup',
  );
  assert.equal(signals.length, 1, 'operators see the call in the session history');
});

test('an allow rule whose origins the turn does not satisfy goes the workflow path, decided there', async () => {
  const before = calls('big');
  const wf = await send('big {}');
  const [answer] = await replyOf(wf, 1);
  assert.equal(answer?.['status'], 'pending', JSON.stringify(answer));
  const action = `action:${String(answer?.['id'])}`;
  await untilPending(f().client, action);
  const card = f().cards.inputs.get(`card-${action}`);
  assert.equal(card?.decision.rule, 'fast-write');
  assert.match(card?.decision.reason ?? '', /rule "fast-big-agents" allows only requests/);
  assert.equal(calls('big'), before);
  assert.deepEqual(
    (await recordsOf(wf)).map((r) => r.type),
    [],
    'no fast-path record',
  );
});

test('a turn delivered again does not call the tool twice', async () => {
  const before = calls('echo');
  const wf = await send('echo {"message":"once"} ; fail-once');
  const [again] = await replyOf(wf, 1);
  assert.equal(again?.['status'], 'denied', JSON.stringify(again));
  assert.match(String(again?.['reason']), /replay-refused: an earlier attempt of this turn made/);
  assert.equal(calls('echo'), before + 1, 'the tool ran once');
  assert.deepEqual(
    (await recordsOf(wf)).map((r) => r.type),
    ['requested', 'allowed', 'executed', 'replay-refused'],
  );
});
