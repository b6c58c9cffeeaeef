// One request, cards in several places at once: the Teams group chat and each approver's Teams
// direct message (Agents Playground), a Slack channel and each approver's Slack direct message
// (the Slack Web API stand-in). Clicks arrive from two places at the same moment; the request is
// decided once, executes once, and every copy of the card is finalized. A rejection typed into a
// Slack card reaches the requester verbatim.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { slackReasonBlockId, reasonInputId } from '../../src/chat/platform-cards.ts';
import { startSlackApiStandin, type SlackApiStandin } from '../../src/dev/slack-api-standin.ts';
import { killProcess } from '../helpers/temporal.ts';
import { startFlakyProxy, type FlakyProxy } from '../helpers/flaky-proxy.ts';
import {
  buttons,
  cardPosted,
  cardUpdated,
  startStack,
  type Stack,
  postToSlack,
} from '../helpers/stack.ts';
import { refundRequest } from '../helpers/actions.ts';

const recorded = JSON.parse(
  readFileSync(
    new URL('../fixtures/recorded-webhooks/slack/actions-reactions.json', import.meta.url),
    'utf8',
  ),
) as { action: Record<string, unknown> & { actions: Record<string, unknown>[] } };
const secret = 'slack-signing-secret-many-places';
const slackIds = { alice: 'U0ALICE', bob: 'U0BOB' };
const slackNames: Record<string, string> = { U0ALICE: 'alice', U0BOB: 'bob' };

let slack: SlackApiStandin;
let stack: Stack;
before(async () => {
  slack = await startSlackApiStandin();
  stack = await startStack(
    (yaml) =>
      yaml
        .replace(
          '    email: alice@example.com\n',
          `    email: alice@example.com\n    slackUserId: ${slackIds.alice}\n    teamsUserId: user-alice\n`,
        )
        .replace(
          '    email: bob@example.com\n',
          `    email: bob@example.com\n    slackUserId: ${slackIds.bob}\n    teamsUserId: user-bob\n`,
        )
        .replace(
          'teams: { channel: { conversationId: airlock-approvals-chat } }',
          'teams: { channel: { conversationId: airlock-approvals-chat }, directMessages: true }\n' +
            '        slack: { channel: C0APPROVALS, directMessages: true }',
        ),
    {
      AIRLOCK_SLACK_SIGNING_SECRET: secret,
      AIRLOCK_SLACK_BOT_TOKEN: 'xoxb-many-places',
      AIRLOCK_SLACK_API_URL: slack.apiUrl,
    },
  );
});
after(async () => {
  await stack?.close();
  await slack?.close();
});

let n = 0;
const refund = (amount: number) => refundRequest({ amount, order: `MANY-${process.pid}-${++n}` });

/** The Slack cards posted for `workflowId`, by channel, once all `count` are there. */
async function slackCards(workflowId: string, count: number) {
  for (let i = 0; i < 300; i++) {
    const posts = slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(workflowId),
    );
    if (posts.length >= count) return posts;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${count} Slack cards for ${workflowId}`);
}

/** POST a signed block_actions click on Slack card (channel, ts) as `user`. */
async function slackClick(input: {
  channel: string;
  ts: string;
  user: string;
  actionId: string;
  value: string;
  reason?: string;
  triggerId?: string;
}): Promise<number> {
  const payload = {
    ...recorded.action,
    user: {
      id: input.user,
      username: slackNames[input.user],
      name: slackNames[input.user],
      team_id: 'T00FAKE00AA',
    },
    trigger_id: input.triggerId ?? randomUUID(),
    container: { type: 'message', message_ts: input.ts, channel_id: input.channel },
    channel: { id: input.channel, name: input.channel },
    message: { ts: input.ts, type: 'message' },
    actions: [{ ...recorded.action.actions[0], action_id: input.actionId, value: input.value }],
    state: {
      values: { [slackReasonBlockId]: { [reasonInputId]: { value: input.reason ?? null } } },
    },
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const res = await postToSlack(`${stack.webhookUrl}/api/webhooks/slack`, body, secret);
  return res.status;
}

const buttonValue = (blocks: unknown, actionId: string): string => {
  const m = new RegExp(`"action_id":"${actionId}","value":"((?:[^"\\\\]|\\\\.)*)"`).exec(
    JSON.stringify(blocks),
  );
  assert.ok(m?.[1], `a ${actionId} button`);
  return JSON.parse(`"${m[1]}"`) as string;
};

/** The ts the stand-in gave a posted card: it numbers chat.postMessage calls in order. */
const tsOf = (post: SlackApiStandin['calls'][number]): string => {
  const at = slack.calls.indexOf(post);
  const seq = slack.calls.slice(0, at + 1).filter((c) => c.method === 'chat.postMessage').length;
  return `1700000000.${String(seq).padStart(6, '0')}`;
};

/** The last chat.update of Slack message (channel, ts). */
const lastUpdate = (channel: string, ts: string) =>
  slack.calls
    .filter(
      (c) => c.method === 'chat.update' && c.args['channel'] === channel && c.args['ts'] === ts,
    )
    .at(-1);

async function slackFinal(channel: string, ts: string, pattern: RegExp) {
  for (let i = 0; i < 300; i++) {
    const u = lastUpdate(channel, ts);
    if (u && pattern.test(JSON.stringify(u.args['blocks']))) return u;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Slack card ${channel}/${ts} never matched ${pattern}`);
}

/** What the worker sent the Teams connector, read through the recording proxy. */
const teamsSent = (proxy: FlakyProxy) => ({
  /** The 1:1 conversation the bot created for Playground user `user`. */
  dmWith(user: string): string | undefined {
    const made = proxy.exchanges.find(
      (e) =>
        e.method === 'POST' &&
        e.path.endsWith('/v3/conversations') &&
        (JSON.parse(e.body) as { members?: { id: string }[] }).members?.[0]?.id === user,
    );
    return made ? (JSON.parse(made.response) as { id: string }).id : undefined;
  },
  /** Cards (activity id and Adaptive Card) posted or edited in `conversation` for `workflowId`. */
  cards(conversation: string, workflowId: string, method: 'POST' | 'PUT') {
    return proxy.exchanges
      .filter(
        (e) =>
          e.method === method &&
          decodeURIComponent(e.path).includes(`/v3/conversations/${conversation}/activities`) &&
          e.body.includes(workflowId),
      )
      .map((e) => ({
        id:
          method === 'POST'
            ? (JSON.parse(e.response) as { id: string }).id
            : decodeURIComponent(e.path).split('/').at(-1),
        card: (JSON.parse(e.body) as { attachments: { content: Record<string, unknown> }[] })
          .attachments[0]?.content,
      }));
  },
});

async function until<T>(what: string, get: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = get();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('cards in a Teams chat, two Teams DMs, a Slack channel and two Slack DMs: clicks from two places at once decide once, every copy is finalized', async () => {
  // The worker reaches the Playground's connector through a recording proxy, which shows the
  // cards in Bob's 1:1 chat (the Playground streams only its UI user's chats).
  const proxy = await startFlakyProxy(stack.playground.url, 'NONE', 0);
  const worker = await stack.worker({ AIRLOCK_TEAMS_SERVICE_URL: `${proxy.url}/_connector` });
  const sent = teamsSent(proxy);
  const before = stack.fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(300));
  const chatCard = await cardPosted(stack.pg, workflowId);
  const dms = await until('both Teams DMs', () => {
    const all = ['user-alice', 'user-bob'].map((u) => {
      const conversation = sent.dmWith(u);
      const posted = conversation ? sent.cards(conversation, workflowId, 'POST')[0] : undefined;
      return conversation && posted ? { conversation, ...posted } : undefined;
    });
    return all.every(Boolean) ? (all as NonNullable<(typeof all)[number]>[]) : undefined;
  });
  const posts = await slackCards(workflowId, 3);
  assert.deepEqual(
    posts.map((p) => p.args['channel']).sort(),
    ['C0APPROVALS', 'D0ALICE', 'D0BOB'],
    'one Slack channel card and one DM per approver',
  );
  const aliceSlack = posts.find((p) => p.args['channel'] === 'D0ALICE');
  assert.ok(aliceSlack);
  const aliceClick = {
    channel: 'D0ALICE',
    ts: tsOf(aliceSlack),
    user: slackIds.alice,
    actionId: 'approval:approve',
    value: buttonValue(aliceSlack.args['blocks'], 'approval:approve'),
    triggerId: `trigger-${randomUUID()}`,
  };
  const bobDm = dms[1] as (typeof dms)[number];
  const bobApprove = (bobDm.card?.['actions'] as { title: string; data: object }[]).find(
    (b) => b.title === 'Approve',
  );
  // Alice in her Slack DM and Bob in his Teams DM click at the same moment; Alice's click is
  // delivered twice, as Slack does after a slow acknowledgment.
  const [first, second] = await Promise.all([
    slackClick(aliceClick),
    slackClick(aliceClick),
    stack.pg.submit({
      conversationId: bobDm.conversation,
      replyToId: bobDm.id ?? '',
      value: { ...bobApprove?.data },
      fromId: 'user-bob',
    }),
  ]);
  assert.deepEqual([first, second], [200, 200]);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(outcome.decidedBy.length, 1, 'decided once');
  assert.equal(stack.fx.api.refunds.length, before + 1, 'executed once');
  const decider = outcome.decidedBy[0]?.approver.displayName ?? '';
  assert.ok(['alice', 'Bob Approver'].includes(decider), decider);
  const final = new RegExp(`Approved by ${decider} at`);
  const chatFinal = await cardUpdated(stack.pg, chatCard.message.messageId, final);
  assert.equal(buttons(chatFinal).length, 0);
  for (const dm of dms) {
    const edited = await until(`the final card in ${dm.conversation}`, () =>
      sent
        .cards(dm.conversation, workflowId, 'PUT')
        .find((e) => e.id === dm.id && final.test(JSON.stringify(e.card))),
    );
    assert.equal(edited.card?.['actions'], undefined, 'no buttons left');
  }
  for (const post of posts) {
    const channel = post.args['channel'] as string;
    const u = await slackFinal(channel, tsOf(post), final);
    assert.doesNotMatch(JSON.stringify(u.args['blocks']), /"type":"(actions|input)"/, channel);
  }
  const audit = (await new AuditLog(stack.config.AIRLOCK_AUDIT_FILE as string).read()).filter(
    (r) => r.workflowId === workflowId,
  );
  assert.equal(audit.filter((r) => r.type === 'decision').length, 1);
  assert.equal(audit.filter((r) => r.type === 'executed').length, 1);
  assert.deepEqual(
    (audit.find((r) => r.type === 'cards-posted')?.detail as { cards: string[] }).cards.sort(),
    [
      'slack:slack-channel',
      'slack:slack-dm:alice',
      'slack:slack-dm:bob',
      'teams:channel',
      'teams:dm:alice',
      'teams:dm:bob',
    ],
  );
  await killProcess(worker, 'SIGTERM');
  await proxy.close();
});

test('a reason typed into a Slack card reaches the requester verbatim; the Teams copy says so too', async () => {
  const worker = await stack.worker();
  const before = stack.fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(stack.fx.client, stack.config, refund(310));
  const teamsCard = await cardPosted(stack.pg, workflowId);
  const posts = await slackCards(workflowId, 3);
  const channelCard = posts.find((p) => p.args['channel'] === 'C0APPROVALS');
  assert.ok(channelCard);
  const ts = tsOf(channelCard);
  const typed = 'Refund is above the customer’s lifetime spend — escalate to finance (ticket 88).';
  const status = await slackClick({
    channel: 'C0APPROVALS',
    ts,
    user: slackIds.alice,
    actionId: 'approval:reject',
    value: buttonValue(channelCard?.args['blocks'], 'approval:reject'),
    reason: typed,
  });
  assert.equal(status, 200);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'rejected');
  assert.equal(outcome.reason, typed);
  assert.equal(stack.fx.api.refunds.length, before);
  await slackFinal('C0APPROVALS', ts, /Rejected by alice at/);
  const teamsFinal = await cardUpdated(
    stack.pg,
    teamsCard.message.messageId,
    /Rejected by alice at/,
  );
  assert.match(JSON.stringify(teamsFinal.message.attachments), /escalate to finance/);
  await killProcess(worker, 'SIGTERM');
});
