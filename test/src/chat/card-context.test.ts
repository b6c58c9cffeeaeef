// The conversation an agent's request came from, on its approval card: who asked where, their
// message quoted (escaped, on one line, capped), the agent's purpose, then the request as before;
// nothing of it on a CLI request. Hostile message text stays inert on Slack and Teams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardModel } from '../../../src/chat/card-model.ts';
import { slackApprovalBlocks, teamsApprovalCard } from '../../../src/chat/platform-cards.ts';
import type { ActionRequest } from '../../../workflows/sensitive-action/request.ts';
import { largeRefundDecision } from './helpers.ts';

const decision = largeRefundDecision;
const pending = { state: 'pending' } as const;

const cliRequest: ActionRequest = {
  agent: 'support-bot',
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order: 'A-1', amount: 120 },
};
const agentRequest = (message: string | null): ActionRequest => ({
  ...cliRequest,
  requester: {
    platform: 'teams',
    userId: 'user-riley',
    aadObjectId: '00000000-0000-0000-0000-0000000000cc',
    displayName: 'Riley Requester',
  },
  sessionId: 'support-bot:teams-a1',
  purpose: 'Refund order A-1: the parcel arrived damaged.',
  context: {
    sessionWorkflowId: 'session:support-bot:teams-a1',
    conversation: 'Teams chat with Riley Requester',
    message,
  },
});

/** The text lines of an Adaptive Card's body, in order. */
const teamsTexts = (card: Record<string, unknown>): string[] =>
  JSON.stringify(card)
    .match(/"text":"(?:[^"\\]|\\.)*"/g)!
    .map((m) => JSON.parse(m.slice(7)) as string);

test('an agent request card says who asked where, quotes the message, gives the purpose, then the request', () => {
  const model = cardModel(
    'action:r1',
    agentRequest('Hi, my parcel A-1 arrived damaged, can I get my 120 back?'),
    decision,
    '',
    pending,
  );
  const texts = teamsTexts(teamsApprovalCard(model));
  const at = (s: string) => texts.findIndex((t) => t.includes(s));
  const asked = at('Asked by Riley Requester in Teams chat with Riley Requester');
  const quoted = at('“Hi, my parcel A-1 arrived damaged, can I get my 120 back?”');
  const purpose = at("Agent's purpose: Refund order A-1: the parcel arrived damaged.");
  const why = at('Why: large refunds need a human');
  assert.ok(asked >= 0 && quoted > asked && purpose > quoted, texts.join('\n'));
  assert.ok(why > purpose, 'the request follows the context');
  const json = JSON.stringify(teamsApprovalCard(model));
  assert.match(json, /"title":"Request","value":"POST refunds-api\/refunds"/);
  assert.match(json, /"text":"“Hi, my parcel[^"]*","isSubtle":true/, 'the quote is muted');
  assert.doesNotMatch(json, /shortened/);

  const slack = JSON.stringify(slackApprovalBlocks(model).blocks);
  assert.ok(slack.includes('Asked by Riley Requester in Teams chat with Riley Requester'));
  assert.ok(slack.includes('{"type":"context","elements":[{"type":"mrkdwn","text":"“Hi, my'));
  assert.ok(slack.includes("Agent's purpose: Refund order A-1"));
});

test('a CLI request card has no conversation lines; a request without a message skips the quote', () => {
  for (const card of [
    teamsApprovalCard(cardModel('action:r2', cliRequest, decision, '', pending)),
    slackApprovalBlocks(cardModel('action:r2', cliRequest, decision, '', pending)),
  ]) {
    const json = JSON.stringify(card);
    assert.doesNotMatch(json, /Asked by|Agent's purpose|“/);
  }
  const silent = cardModel('action:r3', agentRequest(null), decision, '', pending);
  const texts = teamsTexts(teamsApprovalCard(silent));
  assert.ok(texts.some((t) => t === 'Asked by Riley Requester in Teams chat with Riley Requester'));
  assert.ok(!texts.some((t) => t.startsWith('“')), 'no empty quote');
});

test('a hostile message cannot ping, link, format or mention, and a long one is cut with a pointer', () => {
  const hostile = [
    '<!channel> @here @everyone please approve <@U0BOSS>',
    '<https://evil.example|verified by Security> [click here](https://evil.example)',
    '**URGENT** <at>Alice Approver</at> `code`',
    '- a list item',
    '> a quote',
    '# a heading',
  ].join('\n');
  const model = cardModel('action:r4', agentRequest(hostile), decision, '', pending);

  const slack = JSON.stringify(slackApprovalBlocks(model));
  for (const live of ['<!channel>', '<@U0BOSS>', '<https://evil.example|', '**URGENT**'])
    assert.ok(!slack.includes(live), `Slack: ${live} is inert`);
  assert.ok(!/@(here|everyone)\b/.test(slack), 'Slack: a typed @here is broken up');
  assert.ok(slack.includes('&lt;!channel&gt; @\u200dhere'), 'the text is kept, as typed');

  const teams = teamsApprovalCard(model);
  const quote = teamsTexts(teams).find((t) => t.startsWith('“'))!;
  assert.ok(!quote.includes('\n'), 'one line: no list, quote or heading can start');
  for (const live of ['[click here](https', '**URGENT**', '<at>', '`code`'])
    assert.ok(!quote.includes(live), `Teams: ${live} is inert`);
  assert.ok(quote.includes('\\[click here\\]\\(https://evil.example\\)'));
  assert.ok(quote.includes('\\<at\\>Alice Approver\\</at\\>'));
  assert.equal(JSON.stringify(teams).includes('"type":"mention"'), false);

  const long = cardModel('action:r5', agentRequest('word '.repeat(400)), decision, '', pending);
  const longQuote = teamsTexts(teamsApprovalCard(long)).find((t) => t.startsWith('“'))!;
  assert.ok(longQuote.length <= 503, `quote is ${longQuote.length} chars`);
  assert.ok(longQuote.endsWith('…”'));
  assert.match(
    JSON.stringify(teamsApprovalCard(long)),
    /Some text was shortened for this card\. The whole request: airlock approvals show action:r5/,
  );
});
