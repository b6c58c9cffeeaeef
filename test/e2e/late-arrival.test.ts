// An approver who arrives after the card was posted still gets it: the card goes to the Teams
// group chat while nobody has the Playground open; then Alice opens the Playground's real web
// client (headless Chromium) and finds her pending approval in her chat with the bot, approves it
// there, and every copy (hers and the group chat's) is finalized. Asking "pending" afterwards
// answers that nothing waits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { requestAction } from '../../src/actions/request.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { cardPosted, cardText, cardUpdated, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack | undefined;
let browser: Browser | undefined;
before(async () => {
  stack = await startStack();
  await stack.worker();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

const alice = '00000000-0000-0000-0000-00000000a11c';
const PERSONAL_CHAT = 'airlock-personal-chat';

test('a card posted before Alice opened the Playground reaches her there and she approves it', async () => {
  assert.ok(stack, 'setup finished');
  const { fx, pg, playground } = stack;
  const before = fx.api.refunds.length;
  const { workflowId, handle } = await requestAction(fx.client, stack.config, {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body: { amount: 180, order: `LATE-${process.pid}`, reason: 'Parcel crushed' },
    requester: {
      platform: 'teams',
      aadObjectId: '00000000-0000-0000-0000-0000000000cc',
      displayName: 'Riley Requester',
    },
  });
  const groupCard = await cardPosted(pg, workflowId);
  // The webhook finds pending requests through visibility, which lags a moment behind the run.
  const query = `WorkflowId = '${workflowId}' AND ApprovalState = 'pending' AND ApproverKeys = 'teams:${alice}'`;
  for (let i = 0; i < 100 && (await fx.client.workflow.count(query)).count === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }

  // Alice opens the Playground only now; nothing of the group chat is in this fresh browser.
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(playground.url);
  await page
    .getByText('Approval needed: POST /refunds on refunds-api')
    .waitFor({ timeout: 30_000 });
  await page.getByText('Parcel crushed').first().waitFor();
  await page.getByRole('button', { name: 'Approve' }).first().click();

  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  assert.equal(outcome.decidedBy[0]?.approver.aadObjectId, alice, 'Alice decided, from her chat');
  assert.equal(fx.api.refunds.length, before + 1, 'the refund ran once');
  // Both copies are finalized: the group chat's card and the one in Alice's chat. (Read from the
  // Playground's event stream: its web client does not always redraw a card edited this soon.)
  await cardUpdated(pg, groupCard.message.messageId, /Approved by Alice Approver/);
  const copy = pg.events.find(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === PERSONAL_CHAT &&
      cardText(e).includes(workflowId),
  );
  assert.ok(copy, "the copy was posted in Alice's chat with the bot");
  await cardUpdated(pg, copy.message.messageId, /Approved by Alice Approver/);
  await page.screenshot({ path: 'test-results/late-arrival-approved.png' });

  // Asked what is waiting, the bot answers in words, and the decided request is not among what
  // it shows again. (Other files of the suite may leave requests pending for Alice meanwhile.)
  const shownBefore = pg.events.length;
  const compose = page.locator('[data-lexical-editor="true"]');
  await compose.click();
  await page.keyboard.type('pending');
  await page.keyboard.press('Enter');
  await page
    .getByText(/waiting for your decision/)
    .last()
    .waitFor({ timeout: 15_000 });
  await new Promise((r) => setTimeout(r, 1500));
  const reposted = pg.events
    .slice(shownBefore)
    .filter((e) => e.action === 'createMessage' && cardText(e).includes(workflowId));
  assert.deepEqual(reposted, [], 'a decided request is not shown again');
});
