// The offline demo's model: the stand-in (model-standin.ts) with a script for the demo story. Riley
// reports a damaged parcel; the support agent first asks the research agent for the carrier's
// damage policy (an exchange: the question and the answer are approved), the research agent reads
// the local carrier website, and with the sanitized answer the support agent looks the order up in
// the orders database (the PostgreSQL MCP server's read-only `query` tool, allowed by the policy),
// writes case notes in its sandbox, asks for the refund from what it looked up (an approver must
// agree above 50 EUR), says that it waits, and reports the outcome when it arrives as a later
// turn. No language model runs here; set the agent's `model` in policies/airlock.yaml to a real
// OpenAI-compatible endpoint to use one.
import type { ChatMessage, ScriptStep } from './model-standin.ts';
import { textOf } from './model-standin.ts';

/** The model id the demo policy names. */
export const demoModelId = 'airlock-standin';
/** Where the demo policy expects the model. */
export const demoModelPort = 4011;

const lastUser = (messages: ChatMessage[]): string => {
  const last = messages.at(-1);
  return last?.role === 'user' ? textOf(last.content) : '';
};

/** A step the terminal narrates as `says` when the demo sees it used. */
export type DemoStep = ScriptStep & { name: string; says: string };

/** Where the demo's carrier website listens. */
export const demoCarrierPort = 4012;

/** The support agent's lookup of Riley's order (the date as text: JSON has no date type). */
export const demoOrderLookup =
  "SELECT id, customer, item, amount, currency, status, delivered_on::text AS delivered_on FROM orders WHERE id = 'A-1001'";

/** An order row as the MCP server's `query` tool returns it (numbers and dates as text). */
export type OrderRow = Record<string, string | number | null>;

/**
 * Order A-1001 in the result of the lookup tool call (`demo-lookup`), wherever the harness put it:
 * the tool message holds the MCP result as JSON, whose text holds the rows as JSON again.
 */
export function lookedUpOrder(messages: ChatMessage[]): OrderRow | undefined {
  const result = messages.find((m) => m.role === 'tool' && m.tool_call_id === 'demo-lookup');
  return result ? findOrder(textOf(result.content), 0) : undefined;
}

function findOrder(value: unknown, depth: number): OrderRow | undefined {
  if (depth > 16) return undefined;
  if (typeof value === 'string') {
    try {
      return findOrder(JSON.parse(value) as unknown, depth + 1);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findOrder(v, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if ((value as OrderRow)['id'] === 'A-1001') return value as OrderRow;
  return findOrder(Object.values(value), depth + 1);
}

/**
 * Both agents' script for the demo story; `carrierUrl` is the carrier's damage policy page, and
 * `agents` the two agents' ids (a test runs them under its own).
 */
export function demoScript(
  carrierUrl: string,
  agents = { support: 'support-bot', research: 'research-bot' },
): DemoStep[] {
  const fresh = (m: ChatMessage[]) =>
    !/Update on action|Answer from|got no answer|Question from agent/.test(lastUser(m));
  return [
    {
      name: 'ask-research',
      says: "asks the research agent for the carrier's damage policy (ask_agent: an exchange)",
      reusable: true,
      when: (m) => /refund/i.test(lastUser(m)) && fresh(m),
      toolCalls: [
        {
          id: 'demo-ask',
          name: 'ask_agent',
          arguments: {
            to: agents.research,
            question: "What is the carrier's policy for parcels that arrive damaged?",
          },
        },
      ],
    },
    {
      name: 'waiting-research',
      says: 'tells Riley it checks the damage policy first',
      reusable: true,
      afterToolResult: 'demo-ask',
      text: "Sorry about the parcel, Riley. Before I ask for the refund I am checking the carrier's damage policy with our research agent; an approver has to allow the question and its answer.",
    },
    {
      name: 'research-read',
      says: '(research agent) reads the carrier website through its gateway (fetch, allow-listed host)',
      reusable: true,
      when: (m) => lastUser(m).includes(`Question from agent ${agents.support}`),
      toolCalls: [{ id: 'demo-fetch', name: 'fetch', arguments: { url: carrierUrl } }],
    },
    {
      name: 'research-answer',
      says: '(research agent) answers with what the page says',
      reusable: true,
      afterToolResult: 'demo-fetch',
      text: `The carrier refunds parcels that arrive damaged in full when the damage is reported within 30 days with a photo. Source: ${carrierUrl}`,
    },
    {
      name: 'no-policy',
      says: 'tells Riley it could not confirm the policy',
      reusable: true,
      when: (m) => lastUser(m).includes('got no answer'),
      text: "I could not confirm the carrier's damage policy, so I have not asked for the refund yet; a colleague will follow up with you.",
    },
    {
      name: 'lookup',
      says: 'looks up order A-1001 in the orders database (orders__query: the PostgreSQL MCP server, read-only, allowed by the policy)',
      reusable: true,
      when: (m) => lastUser(m).includes(`Answer from ${agents.research}`),
      toolCalls: [
        {
          id: 'demo-lookup',
          name: 'orders__query',
          arguments: {
            sql: demoOrderLookup,
            purpose: 'Check order A-1001 (item, amount, delivery) before asking for its refund.',
          },
        },
      ],
    },
    {
      name: 'not-found',
      says: 'tells Riley it could not find the order',
      reusable: true,
      afterToolResult: 'demo-lookup',
      when: (m) => lookedUpOrder(m) === undefined,
      text: 'I could not find order A-1001 in our orders database, so I have not asked for a refund; a colleague will follow up with you.',
    },
    {
      name: 'notes',
      says: 'writes case notes in its sandbox (shell tool, /workspace)',
      reusable: true,
      afterToolResult: 'demo-lookup',
      toolCalls: [
        {
          id: 'demo-notes',
          name: 'shell',
          arguments: {
            command:
              'mkdir -p cases && echo "$(date -u +%FT%TZ) A-1001: parcel damaged, order looked up, refund requested" >> cases/A-1001.txt && cat cases/A-1001.txt',
          },
        },
      ],
    },
    refundStep(),
    waitingStep(),
    {
      name: 'approved',
      says: 'tells Riley the refund was paid',
      reusable: true,
      when: (m) => /Update on action[\s\S]*approved and carried out/.test(lastUser(m)),
      text: 'Good news, Riley: the refund of 120 EUR for order A-1001 was approved and paid.',
    },
    {
      name: 'not-approved',
      says: 'tells Riley the refund was not made',
      reusable: true,
      when: (m) => /Update on action[\s\S]*not carried out/.test(lastUser(m)),
      text: 'Sorry, Riley: the refund for order A-1001 was not approved. A colleague will contact you about the damaged parcel.',
    },
    {
      name: 'hello',
      says: 'answers',
      reusable: true,
      when: (m) => m.at(-1)?.role === 'user',
      text: 'Hello, I am the support agent. Tell me about a problem with an order, for example a damaged parcel, and I can ask for a refund.',
    },
  ];
}

/**
 * The refund, written from the looked-up order: its `when` reads the lookup's result from the
 * conversation, and the stand-in reads `toolCalls` right after `when` matched (one request at a
 * time, synchronously), so the request carries the amount and the words of this lookup.
 */
function refundStep(): DemoStep {
  let order: OrderRow = {};
  const field = (k: string) => String(order[k] ?? '');
  return {
    name: 'refund',
    says: 'asks the gateway for the refund from the looked-up order (request_action: POST /refunds)',
    reusable: true,
    afterToolResult: 'demo-notes',
    when: (m) => {
      order = lookedUpOrder(m) ?? {};
      return order['id'] !== undefined;
    },
    get toolCalls() {
      const amount = Number(order['amount']);
      return [
        {
          id: 'demo-refund',
          name: 'request_action',
          arguments: {
            capability: 'refunds-api',
            method: 'POST',
            path: '/refunds',
            body: {
              order: 'A-1001',
              amount,
              currency: field('currency'),
              reason: `Parcel arrived damaged (${field('item')})`,
            },
            purpose: `Riley reports that the parcel for order A-1001 arrived damaged. The orders database says: ${field('item')}, ${amount} ${field('currency')}, ${field('status')} on ${field('delivered_on')}, customer ${field('customer')}; refund it in full.`,
          },
        },
      ];
    },
  };
}

/** The reply after the refund request: what the agent found, and that an approver decides. */
function waitingStep(): DemoStep {
  let order: OrderRow = {};
  return {
    name: 'waiting',
    says: 'tells Riley what it found and that the refund waits for an approver',
    reusable: true,
    afterToolResult: 'demo-refund',
    when: (m) => {
      order = lookedUpOrder(m) ?? {};
      return true;
    },
    get text() {
      const o = (k: string) => String(order[k] ?? '?');
      return `I found your order A-1001 (${o('item')}, ${Number(order['amount'])} ${o('currency')}, ${o('status')} on ${o('delivered_on')}) and have asked for a full refund. Refunds above 50 EUR need a human approver; I will tell you here as soon as it is decided.`;
    },
  };
}
