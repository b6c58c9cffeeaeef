// The offline demo's model: the stand-in (model-standin.ts) with a script for the demo story. Riley
// reports a damaged parcel; the support agent first asks the research agent for the carrier's
// damage policy (an exchange: the question and the answer are approved), the research agent reads
// the local carrier website, and with the sanitized answer the support agent writes case notes in
// its sandbox, asks for the refund (an approver must agree above 50 EUR), says that it waits, and
// reports the outcome when it arrives as a later turn. No language model runs here; set the agent's `model`
// in policies/airlock.yaml to a real OpenAI-compatible endpoint to use one.
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

/** Both agents' script for the demo story; `carrierUrl` is the carrier's damage policy page. */
export function demoScript(carrierUrl: string): DemoStep[] {
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
            to: 'research-bot',
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
      when: (m) => lastUser(m).includes('Question from agent support-bot'),
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
      name: 'notes',
      says: 'writes case notes in its sandbox (shell tool, /workspace)',
      reusable: true,
      when: (m) => lastUser(m).includes('Answer from research-bot'),
      toolCalls: [
        {
          id: 'demo-notes',
          name: 'shell',
          arguments: {
            command:
              'mkdir -p cases && echo "$(date -u +%FT%TZ) A-1001: parcel damaged, refund 120 EUR requested" >> cases/A-1001.txt && cat cases/A-1001.txt',
          },
        },
      ],
    },
    {
      name: 'refund',
      says: 'asks the gateway for the refund (request_action: POST /refunds, 120 EUR)',
      reusable: true,
      afterToolResult: 'demo-notes',
      toolCalls: [
        {
          id: 'demo-refund',
          name: 'request_action',
          arguments: {
            capability: 'refunds-api',
            method: 'POST',
            path: '/refunds',
            body: {
              order: 'A-1001',
              amount: 120,
              currency: 'EUR',
              reason: 'Parcel arrived damaged',
            },
            purpose:
              'Riley reports that the parcel for order A-1001 arrived damaged; refund it in full.',
          },
        },
      ],
    },
    {
      name: 'waiting',
      says: 'tells Riley the refund waits for an approver',
      reusable: true,
      afterToolResult: 'demo-refund',
      text: 'I have asked for a refund of 120 EUR for order A-1001. Refunds above 50 EUR need a human approver; I will tell you here as soon as it is decided.',
    },
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
