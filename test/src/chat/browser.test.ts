// The Playground's real web client, driven by headless Chromium: Alice says hello in the UI, the
// bot posts an approval card, Alice clicks Approve, and the edited card shows her as approver; on
// another card she types a reason into the card's box and clicks Reject.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ChatTarget } from '../../../src/chat/agents/conversations.ts';
import { startWebhook, type Webhook } from '../../../src/webhook/start.ts';
import { startPlayground, type Playground } from '../../../src/dev/playground.ts';
import { createLogger } from '../../../src/log.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import { cardModel, decisionSink, testConfig } from './helpers.ts';

const sink = decisionSink();
let server: Webhook | undefined;
let playground: Playground | undefined;
let browser: Browser | undefined;

before(async () => {
  server = await startWebhook({
    config: testConfig({ AIRLOCK_TEAMS_PLAYGROUND: '1' }),
    deliver: sink.onDecision,
    logger: createLogger({ level: 'error' }),
  });
  const port = server.port;
  playground = await startPlayground({
    webhookUrl: `http://127.0.0.1:${port}/api/webhooks/teams`,
    port: 56160,
  });
  browser = await launchBrowser();
});

/** The started pieces; fails the test (not the process) when setup did not finish. */
function ready(): { server: Webhook; playground: Playground; browser: Browser } {
  assert.ok(server && playground && browser, 'setup finished');
  return { server, playground, browser };
}

// Whatever setup got to is stopped, even when a later step failed.
after(async () => {
  await browser?.close();
  await playground?.stop();
  await server?.close();
});

test('Alice approves a card in the Playground web client', async () => {
  const { server, playground, browser } = ready();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(playground.url);
  // The compose box is a Lexical contenteditable editor, not an input.
  const compose = page.locator('[data-lexical-editor="true"]');
  await compose.click();
  await page.keyboard.type('hello airlock');
  await page.keyboard.press('Enter');
  let target: ChatTarget | undefined;
  for (let i = 0; i < 400 && !target; i++) {
    target = server.bot
      .knownConversations()
      .find((c) => c.platform === 'teams' && c.conversationType === 'personal');
    if (!target) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(target, 'the bot learned the personal chat from the typed message');

  const model = cardModel({ workflowId: 'action:browser-1', requestHash: 'h-b1' });
  const ref = await server.bot.postApprovalCard(target, model);
  await page.getByText('Approval needed: Create a GitHub issue').waitFor();
  await page.getByRole('button', { name: 'Approve' }).click();

  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:browser-1');
  assert.equal(decision.choice, 'approve');
  assert.equal(decision.requestHash, 'h-b1');
  assert.equal(decision.approver.displayName, 'Alice Approver');
  assert.equal(decision.approver.aadObjectId, '00000000-0000-0000-0000-00000000a11c');
  assert.equal(decision.approver.tenantId, '00000000-0000-0000-0000-0000000000aa');

  await server.bot.updateApprovalCard(ref, {
    ...model,
    state: 'approved',
    outcomeText: 'Approved by Alice Approver at 14:02 UTC',
  });
  await page.getByText('Approved by Alice Approver at 14:02 UTC').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'buttons are gone');
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/playground-approved.png' });
});

test('Alice types a reason into the card and rejects; the decision carries her words', async () => {
  const { server, playground, browser } = ready();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(playground.url);
  const target = server.bot
    .knownConversations()
    .find((c) => c.platform === 'teams' && c.conversationType === 'personal');
  assert.ok(target, 'the personal chat is known from the first test');
  const model = cardModel({
    workflowId: 'action:browser-2',
    requestHash: 'h-b2',
    action: 'Refund order 8812',
  });
  await server.bot.postApprovalCard(target, model);
  await page.getByText('Approval needed: Refund order 8812').waitFor();
  const typed = 'Customer already got store credit — "no double refunds"';
  await page.getByPlaceholder('Why are you rejecting this?').last().fill(typed);
  await page.getByRole('button', { name: 'Reject' }).last().click();
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:browser-2');
  assert.equal(decision.choice, 'reject');
  assert.equal(decision.reason, typed);
  assert.equal(decision.approver.aadObjectId, '00000000-0000-0000-0000-00000000a11c');
  await page.screenshot({ path: 'test-results/playground-reject-reason.png' });
});
