// An agent's MCP tool call through its session (issue 23, section 1), on the real dev server with
// the real policy, action activities, hub and an SDK-written stdio MCP server; only the sandboxed
// turn is a stand-in that calls through the session's agentAction update, as the gateway does. An
// allowed call answers the turn with the tool's result; one that needs approval answers `pending`,
// and after Alice's click the outcome, with the result, arrives as a later turn; a denied one
// answers with the reason. The tool runs once each time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sendToAgent } from '../../src/agents/sessions.ts';
import { createDeps } from '../../src/deps.ts';
import { temporalGrants } from '../../src/grants/grants.ts';
import { createLogger } from '../../src/log.ts';
import type { McpHub } from '../../src/mcp/types.ts';
import { agentActionUpdate } from '../../workflows/agent-session/messages.ts';
import type { AgentSessionActivities, TurnInput } from '../../workflows/agent-session/types.ts';
import { actionFixture, decide, people, untilPending } from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { writeNotesPolicy, type NotesServer } from '../helpers/mcp-actions.ts';
import { riley, standInReply, standInTurnWorker } from '../helpers/stand-in-turns.ts';
import { terminateRuns } from '../helpers/temporal.ts';

let fx: ActionFixture | undefined;
let notes: NotesServer | undefined;
let hub: McpHub | undefined;
let stopWorker: (() => Promise<void>) | undefined;
const started: string[] = [];
const f = () => fx as ActionFixture;

/**
 * The stand-in turn: "<tool> <json>" calls the notes server's tool with those arguments and
 * replies with the session's answer; a turn of outcomes replies with them.
 */
async function turn(input: TurnInput): ReturnType<AgentSessionActivities['runAgentTurn']> {
  const handle = f().client.workflow.getHandle(input.workflowId);
  const replies: unknown[] = [];
  for (const item of input.items) {
    if (item.kind === 'action-outcome') replies.push(item);
    if (item.kind !== 'message') continue;
    const [tool, ...rest] = item.message.text.split(' ');
    const answer = await handle.executeUpdate(agentActionUpdate, {
      args: [
        {
          turn: input.turn,
          capability: 'mcp:notes',
          method: 'POST',
          path: `/${tool}`,
          body: JSON.parse(rest.join(' ')) as unknown,
          purpose: `the person asked for ${tool}`,
        },
      ],
    });
    if (answer.id) started.push(`action:${answer.id}`);
    replies.push(answer);
  }
  return {
    reply: JSON.stringify(replies),
    tokensUsed: input.tokensUsed,
    boxCreated: false,
    idleTimeoutMs: 60_000,
  };
}

before(async () => {
  fx = await actionFixture();
  notes = writeNotesPolicy(fx.dir);
  const deps = createDeps(fx.config, fx.cards, {
    grants: temporalGrants(fx.client),
    logger: createLogger({ level: 'warn' }),
  });
  hub = deps.mcp;
  stopWorker = await standInTurnWorker(fx, deps, turn);
});
after(async () => {
  await terminateRuns(fx?.client, started, 'test done');
  await stopWorker?.();
  await hub?.close();
  await fx?.close();
});

let n = 0;
async function send(key: string, text: string): Promise<string> {
  const id = await sendToAgent(
    f().client,
    f().config,
    { agentId: 'notes-bot', conversationKey: key, conversation: { platform: 'teams', label: key } },
    {
      messageId: `m-${process.pid}-${++n}`,
      from: riley,
      text,
      receivedAt: new Date().toISOString(),
    },
  );
  if (!started.includes(id)) started.push(id);
  return id;
}

/** The stand-in's reply to turn `turnNo` of `workflowId` (bounded wait), parsed. */
const replyOf = (workflowId: string, turnNo: number) =>
  standInReply(f().client, workflowId, turnNo);

const unique = () => `mcp-${process.pid}-${Date.now()}-${++n}`;
const server = () => notes as NotesServer;

test("an allowed call answers the turn with the tool's result", async () => {
  const before = server().calls('echo');
  const wf = await send(unique(), 'echo {"message":"where is A-1001?"}');
  const [answer] = await replyOf(wf, 1);
  assert.equal(answer?.['status'], 'executed', JSON.stringify(answer));
  assert.equal((answer?.['result'] as { body?: string }).body, 'echo: where is A-1001?');
  assert.equal(server().calls('echo'), before + 1);
});

test('a call that needs approval answers pending; after the click its result comes as a later turn', async () => {
  const before = server().calls('write_note');
  const wf = await send(unique(), 'write_note {"text":"call Riley back"}');
  const [answer] = await replyOf(wf, 1);
  assert.equal(answer?.['status'], 'pending', JSON.stringify(answer));
  assert.equal(server().calls('write_note'), before, 'nothing runs before the approval');
  const { handle, status } = await untilPending(f().client, `action:${String(answer?.['id'])}`);
  await decide(handle, people.alice, status.requestHash ?? '');
  const [outcome] = await replyOf(wf, 2);
  assert.equal(outcome?.['kind'], 'action-outcome');
  assert.equal(outcome?.['outcome'], 'executed', JSON.stringify(outcome));
  assert.equal((outcome?.['result'] as { body?: string }).body, 'noted');
  assert.equal(server().calls('write_note'), before + 1);
});

test('a denied call answers with the reason and runs nothing', async () => {
  const before = server().calls('write_note');
  const wf = await send(unique(), 'write_note {"text":"the password is hunter2"}');
  const [answer] = await replyOf(wf, 1);
  assert.equal(answer?.['status'], 'denied');
  assert.match(String(answer?.['reason']), /rule "notes-no-secrets"/);
  assert.equal(server().calls('write_note'), before);
});
