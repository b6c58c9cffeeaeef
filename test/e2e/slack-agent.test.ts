// An agent conversation over Slack, end to end: signed Events API requests (the recorded shapes of a
// DM and an app_mention) come in at the webhook, which starts the agent's session; the worker runs
// the turn in the agent's real sandbox with the scripted stand-in model and posts the reply back
// through the local stand-in speaking Slack's Web API, once. Outsiders are refused in the channel,
// forged requests get 401, and a refund the agent asks for goes out as a Slack card carrying who
// asked, their message and the agent's purpose; Alice's signed click approves it and the agent
// tells Riley in the same DM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sessionStatus } from '../../src/agents/sessions.ts';
import { conversationKeyOf } from '../../src/chat/agents/address.ts';
import { notATalker } from '../../src/chat/agents/router.ts';
import type { ApprovalBot } from '../../src/chat/bot.ts';
import { startWebhook, type Webhook } from '../../src/webhook/start.ts';
import type { Config } from '../../src/config.ts';
import { startSlackApiStandin, type SlackApiStandin } from '../../src/dev/slack-api-standin.ts';
import { createLogger } from '../../src/log.ts';
import { sessionWorkflowId } from '../../workflows/agent-session/ids.ts';
import type { SessionStatus } from '../../workflows/agent-session/messages.ts';
import { sessionFixture, type SessionFixture } from '../helpers/sessions.ts';
import { terminateRuns } from '../helpers/temporal.ts';
import { postToSlack, startChatWorker, withSlack } from '../helpers/stack.ts';

const secret = 'slack-signing-secret-agent-e2e';
// The bot's ids as Slack gives them (auth.test); the webhook is not told them in advance.
const BOT = 'U0SUPPORTBOT';
const BOT_ID = 'B0SUPPORTBOT';
const RILEY = 'U0RILEY';
const ALICE = 'U0ALICE';
const MALLORY = 'U0MALLORY';
const recordedDir = new URL('../fixtures/recorded-webhooks/slack/', import.meta.url);
const recorded = JSON.parse(readFileSync(new URL('dm.json', recordedDir), 'utf8')) as {
  mention: Record<string, unknown> & { event: Record<string, unknown> };
  dmMessage: Record<string, unknown> & { event: Record<string, unknown> };
};
const recordedClick = (
  JSON.parse(readFileSync(new URL('actions-reactions.json', recordedDir), 'utf8')) as {
    action: Record<string, unknown> & { user: object; actions: Record<string, unknown>[] };
  }
).action;

const refund = {
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order: 'A-2002', amount: 120, currency: 'EUR', reason: 'parcel lost' },
  purpose: 'Refund order A-2002 (120 EUR): the parcel was lost.',
};
const lastUserText = (messages: { role: string; content?: unknown }[]): string => {
  const last = messages.at(-1);
  return last?.role === 'user' ? JSON.stringify(last.content) : '';
};

let fx: SessionFixture | undefined;
let slack: SlackApiStandin | undefined;
let webhook: Webhook | undefined;
let workerBot: ApprovalBot | undefined;
let stopWorker: (() => Promise<void>) | undefined;
let config: Config;
const started = new Set<string>();
let seq = 0;

/** A unique Slack `ts` (the platform message id) for each event this test sends. */
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

/** POST `payload` to the Slack webhook, signed with `signature` (default: the right one). */
async function postEvent(payload: object, signature?: string): Promise<Response> {
  assert.ok(webhook);
  return postToSlack(`${webhook.url}/api/webhooks/slack`, JSON.stringify(payload), secret, {
    contentType: 'application/json',
    signature,
  });
}

/** A DM from `user` in their DM channel with the bot (the recorded `message` event, channel_type im). */
function dm(user: string, text: string) {
  const ts = nextTs();
  const event = { ...recorded.dmMessage.event, user, text, ts, event_ts: ts, channel: dmOf(user) };
  return { payload: { ...recorded.dmMessage, event, event_id: `Ev${ts}` }, ts };
}

/** `user` mentions the bot at the top of `channel` (the recorded `app_mention` event). */
function mention(user: string, channel: string, text: string) {
  const ts = nextTs();
  const event = { ...recorded.mention.event, user, text: `<@${BOT}> ${text}`, ts, channel };
  return { payload: { ...recorded.mention, event, event_id: `Ev${ts}` }, ts };
}

const dmOf = (user: string) => `D${user.slice(1)}`;

/** The session of the support agent in a Slack thread (`threadTs` empty: a DM's top level). */
function sessionIn(channel: string, threadTs: string): string {
  assert.ok(webhook && fx);
  const threadId = webhook.bot.chat.getAdapter('slack').encodeThreadId({ channel, threadTs });
  const id = sessionWorkflowId(fx.support, conversationKeyOf('slack', threadId));
  started.add(id);
  return id;
}

/** Wait (60 s at most) for the session's first reply after `afterTurn`. */
async function replyOf(workflowId: string, afterTurn = 0): Promise<SessionStatus> {
  assert.ok(fx);
  return fx.waitForReply(workflowId, afterTurn);
}

/** The chat.postMessage calls whose text contains `text`, once none more arrive for 500 ms. */
async function postsWith(text: string): Promise<Record<string, unknown>[]> {
  assert.ok(slack && fx);
  const posts = () =>
    slack!.calls.filter(
      (c) =>
        c.method === 'chat.postMessage' &&
        typeof c.args['text'] === 'string' &&
        c.args['text'].includes(text),
    );
  await fx.waitFor(
    () => Promise.resolve(posts().length),
    (n) => n > 0,
  );
  await new Promise((r) => setTimeout(r, 500));
  return posts().map((c) => c.args);
}

/** True when `workflowId` has never been started (or has no run at all). */
async function neverStarted(workflowId: string): Promise<boolean> {
  assert.ok(fx);
  return fx.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => false,
      (err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return true;
        throw err;
      },
    );
}

describe('talking to an agent over Slack', { timeout: 300_000 }, () => {
  before(async () => {
    fx = await sessionFixture(
      [
        { name: 'hello', afterUser: 'where is my parcel', text: 'Hello Riley, it is in Oslo.' },
        { name: 'channel', afterUser: 'opening hours', text: 'We are open 8 to 18.' },
        { name: 'sundays', afterUser: 'on Sundays', text: 'Closed on Sundays.' },
        {
          name: 'large',
          afterUser: 'refund 120',
          toolCalls: [{ id: 'l1', name: 'request_action', arguments: refund }],
        },
        {
          name: 'waiting',
          afterToolResult: 'l1',
          text: 'The 120 EUR refund waits for an approver.',
        },
        {
          name: 'outcome',
          when: (m) => lastUserText(m).includes('Update on action'),
          text: 'Good news: your 120 EUR refund was approved and paid.',
        },
      ],
      (yaml) =>
        yaml
          .replace(
            '    email: riley@example.com\n',
            `    email: riley@example.com\n    slackUserId: ${RILEY}\n`,
          )
          .replace(
            '    email: alice@example.com\n',
            `    email: alice@example.com\n    slackUserId: ${ALICE}\n`,
          )
          .replace(
            '    aadObjectId: 00000000-0000-0000-0000-0000000000ee\n',
            `    aadObjectId: 00000000-0000-0000-0000-0000000000ee\n    slackUserId: ${MALLORY}\n`,
          )
          .replace(
            'teams: { channel: { conversationId: airlock-approvals-chat } }',
            'slack: { channel: C0APPROVALS }',
          ),
    );
    slack = await startSlackApiStandin({
      bot: { userId: BOT, botId: BOT_ID, name: 'airlock' },
      users: {
        [RILEY]: { name: 'riley', realName: 'Riley Requester' },
        [ALICE]: { name: 'alice', realName: 'Alice Approver' },
        [MALLORY]: { name: 'mallory', realName: 'Mallory Outsider' },
      },
    });
    config = withSlack(fx.config, secret, 'xoxb-agent-e2e', slack.apiUrl);
    webhook = await startWebhook({ config, logger: createLogger({ level: 'silent' }) });
    // The worker as workers/main.ts builds it: Slack cards and the conversation poster.
    const worker = await startChatWorker(config, fx.client);
    workerBot = worker.bot;
    stopWorker = worker.stop;
  });

  after(async () => {
    await terminateRuns(fx?.client, started, 'slack-agent test over');
    await stopWorker?.().catch(() => undefined);
    await webhook?.close().catch(() => undefined);
    await workerBot?.chat.shutdown().catch(() => undefined);
    await slack?.close();
    // Removes the agents' boxes and volumes, stops the model stand-in and the refunds API.
    await fx?.close();
  });

  test('a talker’s DM starts a session; the reply comes back in the DM, once', async () => {
    assert.ok(fx);
    const { payload } = dm(RILEY, 'where is my parcel A-2002?');
    const res = await postEvent(payload);
    assert.equal(res.status, 200);
    // A top-level DM is one conversation: its thread is the channel (no thread ts).
    const id = sessionIn(dmOf(RILEY), '');
    const status = await replyOf(id);
    assert.equal(status.replies[0]?.text, 'Hello Riley, it is in Oslo.');
    assert.ok(await fx.box(fx.support), 'the turn ran in the agent’s sandbox');
    const posts = await postsWith('it is in Oslo');
    assert.equal(posts.length, 1, 'posted once');
    assert.equal(posts[0]?.['channel'], dmOf(RILEY));
    assert.equal(posts[0]?.['thread_ts'], undefined, 'in the DM itself, not a thread');
    assert.equal(posts[0]?.['text'], 'Hello Riley, it is in Oslo.');

    // The model saw who wrote, by the name Slack has for them; the session knows the sender.
    const call = fx.model.requests.find((r) =>
      JSON.stringify(r.body).includes('where is my parcel A-2002'),
    );
    assert.match(JSON.stringify(call?.body), /Riley Requester: where is my parcel A-2002\?/);
    const described = await fx.client.workflow.getHandle(id).describe();
    assert.equal(described.type, 'agentSessionWorkflow');
    assert.match(id, /^session:support-[0-9a-f]+:slack-[0-9a-f]{16}$/);
  });

  test('a mention in a channel gets its reply in that message’s thread', async () => {
    const { payload, ts } = mention(RILEY, 'C0SUPPORT', 'what are your opening hours?');
    assert.equal((await postEvent(payload)).status, 200);
    const id = sessionIn('C0SUPPORT', ts);
    const status = await replyOf(id);
    assert.equal(status.replies[0]?.text, 'We are open 8 to 18.');
    const posts = await postsWith('open 8 to 18');
    assert.equal(posts.length, 1, 'posted once');
    assert.equal(posts[0]?.['channel'], 'C0SUPPORT');
    assert.equal(posts[0]?.['thread_ts'], ts, 'in the thread the mention started');
    // The agent got the words without the bot's mention.
    assert.ok(fx);
    const call = fx.model.requests.find((r) => JSON.stringify(r.body).includes('opening hours'));
    assert.match(JSON.stringify(call?.body), /Riley Requester: what are your opening hours\?/);

    // A follow-up mention in the thread goes to the same session.
    const followUp = mention(RILEY, 'C0SUPPORT', 'and on Sundays?');
    const event = { ...followUp.payload.event, thread_ts: ts };
    assert.equal((await postEvent({ ...followUp.payload, event })).status, 200);
    const again = await replyOf(id, status.turn);
    assert.equal(again.replies.at(-1)?.text, 'Closed on Sundays.');
    const [inThread] = await postsWith('Closed on Sundays');
    assert.equal(inThread?.['thread_ts'], ts);
  });

  test('the bot’s own reply echoed back by Slack, and other bots, get no answer and start nothing', async () => {
    assert.ok(fx && slack);
    const id = sessionIn(dmOf(RILEY), '');
    const turn = (await sessionStatus(fx.client, id))?.turn;
    const before = slack.calls.length;
    // What Slack sends for a message the app itself posted in the DM (message.im).
    const ts = nextTs();
    const echo = {
      ...recorded.dmMessage,
      event: {
        type: 'message',
        user: BOT,
        bot_id: BOT_ID,
        app_id: recorded.dmMessage['api_app_id'],
        bot_profile: { id: BOT_ID, name: 'Airlock', user_id: BOT },
        text: 'Hello Riley, it is in Oslo.',
        ts,
        event_ts: ts,
        channel: dmOf(RILEY),
        channel_type: 'im',
      },
      event_id: `Ev${ts}`,
    };
    assert.equal((await postEvent(echo)).status, 200);
    // Another app mentioning the bot in a channel: no one to answer either.
    const other = mention('U0OTHERBOT', 'C0SUPPORT', 'Support: status report please');
    const event = {
      ...other.payload.event,
      bot_id: 'B0OTHERBOT',
      bot_profile: { id: 'B0OTHERBOT', name: 'Other', user_id: 'U0OTHERBOT' },
    };
    assert.equal((await postEvent({ ...other.payload, event })).status, 200);
    await new Promise((r) => setTimeout(r, 1500));
    const posted = slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    assert.deepEqual(posted, [], 'the bot answered nothing');
    assert.equal((await sessionStatus(fx.client, id))?.turn, turn, 'no turn for the echo');
    assert.ok(await neverStarted(sessionIn('C0SUPPORT', other.ts)), 'no session for the bot');
  });

  test('someone who is not a talker is refused in the channel and nothing starts', async () => {
    assert.ok(fx && slack);
    // Naming the agent: told they are not among its talkers, in the thread.
    const { payload, ts } = mention(MALLORY, 'C0HELPDESK', 'Support: refund me everything');
    assert.equal((await postEvent(payload)).status, 200);
    const posts = await postsWith('not on the list of people who may talk to Support');
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.['channel'], 'C0HELPDESK');
    assert.equal(posts[0]?.['thread_ts'], ts);
    assert.equal(posts[0]?.['text'], notATalker({ id: fx.support, displayName: 'Support' }));
    assert.ok(await neverStarted(sessionIn('C0HELPDESK', ts)), 'no session for the outsider');

    // Naming none in a DM: no agent is hers to talk to.
    assert.equal(
      (await postEvent(dm(MALLORY, 'refund me everything, privately').payload)).status,
      200,
    );
    const [inDm] = await postsWith('You may not talk to any agent here');
    assert.equal(inDm?.['channel'], dmOf(MALLORY));
    assert.equal(
      inDm?.['text'],
      'You may not talk to any agent here. Ask your Airlock administrator to add you to an agent’s talkers.',
    );
    assert.ok(await neverStarted(sessionIn(dmOf(MALLORY), '')), 'no session for the outsider');
    const toMallory = slack.calls.filter((c) => JSON.stringify(c.args).includes(dmOf(MALLORY)));
    assert.equal(toMallory.length, 1, 'only the refusal went to her DM');
  });

  test('a forged request is refused with 401 and starts nothing', async () => {
    assert.ok(slack);
    const before = slack.calls.length;
    const { payload, ts } = mention(RILEY, 'C0FORGED', 'where is my parcel A-9999?');
    const res = await postEvent(payload, 'v0=00');
    assert.equal(res.status, 401);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(await neverStarted(sessionIn('C0FORGED', ts)), 'nothing started');
    const touched = slack.calls.slice(before).filter((c) => JSON.stringify(c).includes('C0FORGED'));
    assert.deepEqual(touched, [], 'nothing posted there');
  });

  test('a refund the agent asks for: the Slack card shows who asked, the message and the purpose', async () => {
    assert.ok(fx && slack);
    const id = sessionIn(dmOf(RILEY), '');
    const previous = (await sessionStatus(fx.client, id))?.turn;
    assert.ok(previous, 'the DM’s session is running');
    const message = 'please refund 120 for A-2002, it never came';
    assert.equal((await postEvent(dm(RILEY, message).payload)).status, 200);
    const status = await replyOf(id, previous);
    assert.equal(status.replies.at(-1)?.text, 'The 120 EUR refund waits for an approver.');
    const [pending] = status.pendingActions;
    assert.ok(pending, 'the refund waits for an approver');

    const card = await fx.waitFor(
      () =>
        Promise.resolve(
          slack!.calls.find(
            (c) =>
              c.method === 'chat.postMessage' &&
              JSON.stringify(c.args['blocks'] ?? '').includes(pending.workflowId),
          ),
        ),
      (c) => c !== undefined,
    );
    assert.equal(card?.args['channel'], 'C0APPROVALS');
    const blocks = JSON.stringify(card?.args['blocks']);
    assert.ok(
      blocks.includes('Asked by Riley Requester in Slack DM with Riley Requester'),
      `who asked, where: ${blocks.slice(0, 600)}`,
    );
    assert.ok(blocks.includes(`“${message}”`), 'the message');
    assert.ok(blocks.includes(`Agent's purpose: ${refund.purpose}`), 'the purpose');

    // Alice approves on the card (a recorded block_actions click, re-signed); Riley hears in the DM.
    const value = /"action_id":"approval:approve","value":"((?:[^"\\]|\\.)*)"/.exec(blocks)?.[1];
    assert.ok(value, 'the card has an Approve button');
    const click = {
      ...recordedClick,
      user: { ...recordedClick.user, id: ALICE, username: 'alice', name: 'alice' },
      actions: [
        {
          ...recordedClick.actions[0],
          action_id: 'approval:approve',
          value: JSON.parse(`"${value}"`) as string,
        },
      ],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(click))}`;
    assert.ok(webhook);
    const res = await postToSlack(`${webhook.url}/api/webhooks/slack`, body, secret);
    assert.equal(res.status, 200);
    const done = await replyOf(id, status.turn);
    assert.equal(
      done.replies.at(-1)?.text,
      'Good news: your 120 EUR refund was approved and paid.',
    );
    assert.equal(fx.api.refunds.length, 1);
    const posts = await postsWith('was approved and paid');
    assert.equal(posts.length, 1, 'the outcome is posted once');
    assert.equal(posts[0]?.['channel'], dmOf(RILEY));
  });
});
