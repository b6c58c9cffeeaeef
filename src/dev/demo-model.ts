// The offline demo's model: the stand-in (model-standin.ts) with a script for the support agent's
// story. Riley reports a damaged parcel; the agent writes case notes in its sandbox, asks for the
// refund (policy: an approver must agree above 50 EUR), says that it waits, and reports the
// outcome when it arrives as a later turn. No language model runs here; set the agent's `model`
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

/** The support agent's script for the demo story. */
export function demoScript(): DemoStep[] {
  return [
    {
      name: 'notes',
      says: 'writes case notes in its sandbox (shell tool, /workspace)',
      reusable: true,
      when: (m) => /refund/i.test(lastUser(m)) && !lastUser(m).includes('Update on action'),
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
