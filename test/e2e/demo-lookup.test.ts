// The demo's story end to end (`make demo`'s script, policy and orders database, in the Agents
// Playground): Riley asks the support agent for a refund; it asks the research agent for the
// carrier's damage policy (Bob approves the question and the answer), then looks order A-1001 up in
// the orders database through the real PostgreSQL MCP server (orders__query, allowed by the
// policy: no card), tells Riley what it found, and asks for the refund from the row. The refund's
// card shows "Looked up this turn" with the row, from the session's record of the executed call;
// Bob approves on it in the Playground's web client, the refund runs once, and Riley hears so.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sessionStatus } from '../../src/agents/sessions.ts';
import { demoScript } from '../../src/dev/demo-model.ts';
import { ordersCredential, startOrdersDatabase } from '../../src/dev/demo-orders.ts';
import type { OrdersDatabase } from '../../src/dev/demo-orders.ts';
import { startModelStandin, textOf, type ModelStandin } from '../../src/dev/model-standin.ts';
import type { ChatMessage } from '../../src/dev/model-standin.ts';
import { cardOf, type PlaygroundEvent } from '../../src/dev/playground-client.ts';
import { openVault } from '../../src/vault/open.ts';
import { exchangeConversationKey } from '../../workflows/agent-exchange/ids.ts';
import { sessionWorkflowId } from '../../workflows/agent-session/ids.ts';
import type { ActionOutcome } from '../../workflows/sensitive-action/types.ts';
import {
  agentIds,
  clickApprove,
  closeAgentChat,
  groupSessionId,
  rileySays,
  startAgentChat,
  statusUntil,
  type AgentChat,
} from '../helpers/agent-stack.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { CANARY } from '../helpers/gateway.ts';
import { buttons, cardUpdated, GROUP_CHAT, type Stack } from '../helpers/stack.ts';
import { startCarrierPage, type CarrierPage } from '../helpers/carrier-page.ts';

const ids = agentIds();
const { support, research } = ids;
const ask = `Hi! The parcel for my order A-1001 arrived damaged (${ids.suffix}). Can I get a refund of 120 EUR?`;

let page: CarrierPage | undefined;
let orders: OrdersDatabase | undefined;
let model: ModelStandin | undefined;
let chat: AgentChat | undefined;
let stack: Stack | undefined;
let browser: Browser | undefined;

before(async () => {
  // The carrier's website, which the research agent reads through its gateway.
  page = await startCarrierPage(
    '<h1>Damaged parcels</h1><p>Refunded in full within 30 days, with a photo.</p>',
  );
  const pageUrl = page.url;
  orders = await startOrdersDatabase();
  model = await startModelStandin({
    apiKey: CANARY,
    models: ['airlock-standin'],
    script: demoScript(pageUrl, ids),
  });
  chat = await startAgentChat(ids, model.baseUrl, [support, research], (yaml) =>
    // The demo policy names the carrier's exact host:port; this page's port stands in for it.
    yaml.replaceAll("'127.0.0.1:4012'", `'${new URL(pageUrl).host}'`),
  );
  stack = chat.stack;
  // As scripts/demo.ts stores it: the reader's URL, for the support agent alone.
  await openVault(stack.config).put({
    name: ordersCredential,
    kind: 'bearer',
    secret: orders.readerUrl,
    scope: {
      hosts: [`127.0.0.1:${orders.cluster.port}`],
      methods: ['POST'],
      paths: ['/**'],
      agents: [support],
    },
  });
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await closeAgentChat(chat, ids, runsToEnd, 'demo-lookup test over');
  await model?.close().catch(() => undefined);
  await orders?.stop().catch(() => undefined);
  await page?.close();
});

/** The support session's id in the group chat. */
const sessionId = () => groupSessionId(stack as Stack, support);

/** The sessions, the exchange and its approvals and the refund this test may leave running. */
async function runsToEnd(s: Stack): Promise<string[]> {
  const status = await sessionStatus(s.fx.client, sessionId()).catch(() => null);
  const pending = status?.pendingActions.map((p) => p.workflowId) ?? [];
  const steps = pending
    .filter((w) => w.startsWith('exchange:'))
    .flatMap((w) => {
      const id = w.replace(/^exchange:/, '');
      return [`action:${id}.question`, `action:${id}.answer`];
    });
  const research = sessionWorkflowId(ids.research, exchangeConversationKey(support));
  return [sessionId(), research, ...pending, ...steps];
}

/** The bot's text messages in the group chat that contain `text` (markdown escapes taken out). */
const botMessages = (text: string) =>
  stack!.pg.events.filter(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === GROUP_CHAT &&
      (e.message?.text ?? '').replace(/\\(.)/g, '$1').includes(text),
  );

/** Every text on a card, markdown escapes taken out. */
function cardTexts(event: PlaygroundEvent): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x.replace(/\\(.)/g, '$1'));
        else walk(x);
      }
  };
  walk(cardOf(event));
  return out;
}

/** The pending card of `workflowId` in the group chat. */
const pendingCard = (workflowId: string) =>
  stack!.pg.waitFor(
    (e) =>
      e.action === 'createMessage' &&
      e.actionConversationId === GROUP_CHAT &&
      JSON.stringify(cardOf(e) ?? {}).includes(workflowId) &&
      buttons(e).some((b) => b.title === 'Approve'),
    120_000,
  );

/** Bob approves `workflowId` on its card; it ends `outcome`. */
async function bobApproves(workflowId: string, outcome: string): Promise<PlaygroundEvent> {
  const card = await pendingCard(workflowId);
  await clickApprove(stack!, card, 'user-bob');
  const result = (await stack!.fx.client.workflow.getHandle(workflowId).result()) as ActionOutcome;
  assert.equal(result.outcome, outcome, `${workflowId}: ${result.message}`);
  return card;
}

describe("the demo's story in the Playground", { timeout: 400_000 }, () => {
  test('the agent looks the order up through the PostgreSQL MCP server; the card shows the row', async () => {
    assert.ok(stack && model);
    const refundsBefore = stack.fx.api.refunds.length;
    // Bob's view in the Playground's web client, open before any card is posted.
    browser = await launchBrowser();
    const view = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    await view.goto(stack.playground.url);
    await view.getByText('Airlock approvals').first().click();
    await rileySays(stack, `Support: ${ask}`);

    // The damage policy first: the exchange, both ways approved by Bob.
    const asked = await statusUntil(
      stack,
      sessionId(),
      (s) => s.pendingActions.some((p) => p.workflowId.startsWith('exchange:')),
      'the pending exchange',
    );
    const exchange = asked.pendingActions.find((p) => p.workflowId.startsWith('exchange:'))!;
    const x = exchange.workflowId.replace(/^exchange:/, '');
    await bobApproves(`action:${x}.question`, 'approved');
    await bobApproves(`action:${x}.answer`, 'approved');

    // The lookup runs at once (an allow rule: no card), and Riley hears what was found.
    const found = 'I found your order A-1001 (Ceramic teapot, blue, 120 EUR, delivered on ';
    await stack.pg
      .waitFor((e) => botMessages(found).includes(e), 180_000)
      .catch((err: Error) => {
        const said = botMessages('').map((e) => e.message?.text);
        throw new Error(
          `${err.message}: steps ${model?.used.join(', ')}; said ${said.join(' | ')}`,
        );
      });
    assert.ok(model.used.includes('lookup'), 'the agent called orders__query');
    const results = model.requests
      .flatMap((r) => (r.body as { messages?: ChatMessage[] } | undefined)?.messages ?? [])
      .filter((m) => m.role === 'tool' && m.tool_call_id === 'demo-lookup')
      .map((m) => textOf(m.content));
    assert.ok(
      results.some((t) => t.includes('Ceramic teapot, blue')),
      `the agent read the row: ${results.join('\n')}`,
    );
    const status = await statusUntil(
      stack,
      sessionId(),
      (s) => s.pendingActions.some((p) => p.workflowId.startsWith('action:')),
      'the pending refund',
    );
    const refund = status.pendingActions.find((p) => p.workflowId.startsWith('action:'))!;
    assert.equal(
      status.pendingActions.filter((p) => p.workflowId.startsWith('action:')).length,
      1,
      'the lookup needed no approval: only the refund waits',
    );

    // The refund's card: the agent's purpose from the row, then the row as Airlock recorded it.
    const card = await pendingCard(refund.workflowId);
    const texts = cardTexts(card);
    const all = texts.join('\n');
    const heading = texts.indexOf('Looked up this turn');
    const row = texts.findIndex((t) =>
      t.startsWith(
        'orders.query → id: A-1001 · customer: Riley Requester · item: Ceramic teapot, blue · amount: 120.00 · currency: EUR · status: delivered · delivered_on: ',
      ),
    );
    const purpose = texts.findIndex((t) => t.includes("Agent's purpose: Riley reports"));
    assert.ok(purpose >= 0 && heading > purpose && row === heading + 1, all);
    assert.ok(texts[row + 1]?.startsWith('sql: SELECT id, customer, item'), all);
    assert.ok(all.includes('The orders database says: Ceramic teapot, blue, 120 EUR'), all);
    assert.ok(!all.includes(orders!.readerUrl.split('@')[0] ?? '-'), 'no database password');

    // Bob sees it in the Playground's web client; he approves.
    await view.getByText('Looked up this turn').first().waitFor({ timeout: 30_000 });
    mkdirSync('test-results', { recursive: true });
    await view.screenshot({ path: 'test-results/demo-lookup.png', fullPage: true });
    await clickApprove(stack, card, 'user-bob');
    const outcome = (await stack.fx.client.workflow
      .getHandle(refund.workflowId)
      .result()) as ActionOutcome;
    assert.equal(outcome.outcome, 'executed', outcome.message);
    await cardUpdated(stack.pg, card.message.messageId, /Approved by Bob Approver at/);
    await stack.pg.waitFor(
      (e) =>
        botMessages('the refund of 120 EUR for order A-1001 was approved and paid').includes(e),
      120_000,
    );
    assert.equal(stack.fx.api.refunds.length, refundsBefore + 1, 'the refund ran once');
    assert.deepEqual(stack.fx.api.refunds.at(-1)?.body, {
      order: 'A-1001',
      amount: 120,
      currency: 'EUR',
      reason: 'Parcel arrived damaged (Ceramic teapot, blue)',
    });
  });
});
