// People talk to agents in Teams (the Agents Playground): a message from a talker starts the
// agent's session with the message and the verified sender (no worker runs, so the message is
// accepted with every worker down); an outsider is refused in the thread and nothing starts; naming
// an agent routes to it and a follow-up stays with it. Then the worker's side: replies posted into
// the conversation once per key, long ones cut with a pointer, nothing for the CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { conversationKeyOf } from '../../src/chat/agents/address.ts';
import { createApprovalBot, type ApprovalBot } from '../../src/chat/bot.ts';
import { createConversationPoster } from '../../src/chat/agents/replies.ts';
import { createLogger } from '../../src/log.ts';
import type { SessionMessage } from '../../workflows/agent-session/messages.ts';
import { GROUP_CHAT, startStack, type Stack } from '../helpers/stack.ts';
import {
  playgroundTenant as TENANT,
  sendTeamsMessage,
  type PlaygroundUser,
} from '../../src/dev/playground-message.ts';

let stack: Stack | undefined;
let workerBot: ApprovalBot | undefined;
before(async () => {
  stack = await startStack();
  await endSessions();
});
after(async () => {
  await endSessions();
  await workerBot?.chat.shutdown();
  await stack?.close();
});

const PERSONAL_CHAT = 'airlock-personal-chat';
const users = {
  riley: {
    id: 'user-riley',
    name: 'Riley Requester',
    aadObjectId: '00000000-0000-0000-0000-0000000000cc',
  },
  mallory: {
    id: 'user-mallory',
    name: 'Mallory Outsider',
    aadObjectId: '00000000-0000-0000-0000-0000000000ee',
  },
};

/** `user` mentions the bot in the group chat (as the Playground would deliver it). */
async function mentionAs(user: PlaygroundUser, text: string): Promise<string> {
  assert.ok(stack);
  const sent = await sendTeamsMessage({
    webhookUrl: stack.webhookUrl,
    playgroundPort: stack.playground.port,
    user,
    conversation: { id: GROUP_CHAT, type: 'groupChat' },
    text,
  });
  assert.equal(sent.status, 200);
  return sent.id;
}

/** The Chat SDK thread id of a Playground conversation (its connector names the port). */
function threadIdOf(conversationId: string): string {
  assert.ok(stack);
  return stack.webhook.bot.chat.getAdapter('teams').encodeThreadId({
    conversationId,
    serviceUrl: `http://localhost:${stack.playground.port}/_connector`,
    conversationType: conversationId === PERSONAL_CHAT ? 'personal' : 'groupChat',
  });
}

/** The session workflow id of `agentId` in a Playground conversation. */
function sessionId(agentId: string, conversationId: string): string {
  return `session:${agentId}:${conversationKeyOf('teams', threadIdOf(conversationId))}`;
}

/** Every session these tests may start (a run on the same Playground port has the same ids). */
const sessions = () =>
  ['support-bot', 'research-bot'].flatMap((a) =>
    [PERSONAL_CHAT, GROUP_CHAT].map((c) => sessionId(a, c)),
  );

/** Terminate the sessions these tests may have started (or an earlier run left running). */
async function endSessions(): Promise<void> {
  for (const id of stack ? sessions() : []) {
    await stack?.fx.client.workflow
      .getHandle(id)
      .terminate('agent-chat test cleanup')
      .catch(() => undefined);
  }
}

/** The running run of `workflowId`, or null (none, or only closed runs of earlier runs). */
async function runningRun(workflowId: string): Promise<string | null> {
  assert.ok(stack);
  const described = await stack.fx.client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
  return described?.status.name === 'RUNNING' ? described.runId : null;
}

/** The sessionMessage signals in a running session (waits up to 10 s for `count` of them). */
async function messagesOf(workflowId: string, count: number): Promise<SessionMessage[]> {
  assert.ok(stack);
  let found: SessionMessage[] = [];
  for (let i = 0; i < 100; i++) {
    const runId = await runningRun(workflowId);
    const events = runId
      ? ((await stack.fx.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [])
      : [];
    const signals = events
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => a?.signalName === 'sessionMessage');
    // Payloads in history are encrypted: decode them as the client does.
    const converter = stack.fx.client.options.loadedDataConverter;
    found = await Promise.all(
      signals.map((a) =>
        decodeFromPayloadsAtIndex<SessionMessage>(converter, 0, a?.input?.payloads),
      ),
    );
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  return found;
}

/** Wait for a bot text message in `conversationId` matching `pattern`. */
const botSaid = (conversationId: string, pattern: RegExp) =>
  stack!.pg.waitFor(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === conversationId &&
      pattern.test(e.message.text ?? ''),
  );

test('a talker’s direct message starts the agent’s session, with every worker down', async () => {
  assert.ok(stack);
  const text = `Where is my parcel ${process.pid}?`;
  // The Playground's own client, as its current user: Alice, one of support-bot's talkers.
  await stack.pg.sendMessage(PERSONAL_CHAT, text, { fromId: 'user-alice' });
  const workflowId = sessionId('support-bot', PERSONAL_CHAT);
  const [message] = await messagesOf(workflowId, 1);
  assert.ok(message, `${workflowId} was started with the message`);
  assert.equal(message.text, text);
  assert.match(message.messageId, /^teams:\S+$/, 'the platform message id');
  assert.deepEqual(
    {
      platform: message.from.platform,
      aadObjectId: message.from.aadObjectId,
      tenantId: message.from.tenantId,
      displayName: message.from.displayName,
      policyUserId: message.from.policyUserId,
    },
    {
      platform: 'teams',
      aadObjectId: '00000000-0000-0000-0000-00000000a11c',
      tenantId: TENANT,
      displayName: 'Alice Approver',
      policyUserId: 'alice',
    },
  );
  const described = await stack.fx.client.workflow.getHandle(workflowId).describe();
  assert.equal(described.status.name, 'RUNNING');
  assert.equal(described.type, 'agentSessionWorkflow');
  assert.equal(described.taskQueue, stack.config.TEMPORAL_TASK_QUEUE);
});

test('an outsider is refused in the thread and no session starts', async () => {
  assert.ok(stack);
  await mentionAs(users.mallory, 'Support: refund me everything');
  const refusal = await botSaid(GROUP_CHAT, /not on the list of people who may talk to Support/);
  assert.equal(
    refusal.message.text,
    'You are not on the list of people who may talk to Support (support-bot). Ask your Airlock administrator to add you to its talkers.',
  );
  assert.equal(await runningRun(sessionId('support-bot', GROUP_CHAT)), null, 'nothing started');
});

test('naming an agent routes to it, and a follow-up without a name stays with it', async () => {
  assert.ok(stack);
  const first = `@Research: how long does a parcel to Oslo take ${process.pid}?`;
  const firstId = await mentionAs(users.riley, first);
  const research = sessionId('research-bot', GROUP_CHAT);
  const [m1] = await messagesOf(research, 1);
  assert.equal(m1?.text, `how long does a parcel to Oslo take ${process.pid}?`);
  assert.equal(m1?.messageId, `teams:${firstId}`);
  assert.equal(m1?.from.aadObjectId, users.riley.aadObjectId);
  assert.equal(m1?.from.policyUserId, 'riley');
  await mentionAs(users.riley, 'and to Bergen?');
  const [, m2] = await messagesOf(research, 2);
  assert.equal(m2?.text, 'and to Bergen?');
  const support = sessionId('support-bot', GROUP_CHAT);
  assert.equal(await runningRun(support), null, 'support-bot heard nothing from this chat');
});

test('the poster posts once per key, cuts long replies with a pointer, and skips the CLI', async () => {
  assert.ok(stack);
  workerBot = await createApprovalBot({
    config: stack.config,
    logger: createLogger({ level: 'warn' }),
  });
  const poster = createConversationPoster(
    workerBot,
    workerBot.chat.getState(),
    createLogger({ level: 'warn' }),
  );
  const threadId = workerBot.chat.getAdapter('teams').encodeThreadId({
    conversationId: PERSONAL_CHAT,
    serviceUrl: `${stack.playground.url}/_connector`,
    conversationType: 'personal',
  });
  const conversation = { platform: 'teams' as const, threadId, label: 'Teams chat with Riley' };
  const workflowId = `session:support-bot:teams-${process.pid}`;
  const reply = `Your parcel ${process.pid} is in Oslo.`;
  await poster.typing(conversation);
  await poster.post(conversation, `${workflowId}:1`, reply);
  await poster.post(conversation, `${workflowId}:1`, reply);
  await botSaid(PERSONAL_CHAT, new RegExp(`parcel ${process.pid} is in Oslo`));

  const long = `${'word '.repeat(2468)}END${process.pid}`;
  const digits = String(long.length).replace(/\B(?=(\d{3})+(?!\d))/g, ' '); // "12 345"
  await poster.post(conversation, `${workflowId}:2`, long);
  const cut = await botSaid(PERSONAL_CHAT, /reply truncated/);
  // As the Teams client shows it: the markdown escapes (a backslash before "(") are not shown.
  const text = (cut.message.text ?? '').replace(/\\(.)/g, '$1');
  assert.ok(text.startsWith('word word'), text.slice(0, 40));
  assert.ok(!text.includes(`END${process.pid}`), 'the end was cut');
  assert.match(
    text,
    new RegExp(
      `… \\(reply truncated: ${digits} characters in all; the whole reply: airlock agents replies ${workflowId} --turn 2\\)$`,
    ),
  );
  assert.ok(text.length <= 4000, `posted ${text.length} characters`);

  await poster.post(
    { platform: 'cli', label: 'CLI' },
    `${workflowId}:3`,
    `CLI only ${process.pid}`,
  );
  // By now every earlier post has long arrived: the stream is ordered per conversation.
  await new Promise((r) => setTimeout(r, 500));
  const mine = stack.pg.events.filter(
    (e) => e.action === 'createMessage' && (e.message.text ?? '').includes(String(process.pid)),
  );
  assert.equal(
    mine.filter((e) => e.message.text?.includes('is in Oslo')).length,
    1,
    'one message for one key',
  );
  assert.equal(mine.filter((e) => e.message.text?.includes('CLI only')).length, 0);
});
