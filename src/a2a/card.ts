// The Agent Card an external A2A client reads for one Airlock agent: JSON-RPC (A2A v1.0) at the
// agent's endpoint, bearer authentication, text in and text out, no streaming or push.
import type { AgentCard } from '@a2a-js/sdk';
import type { Agent } from '../policy/schema.ts';

const text = ['text/plain'];

/** The card of `agent`, served at `url`. */
export function agentCard(agent: Agent, url: string): AgentCard {
  const name = agent.displayName ?? agent.id;
  return {
    name,
    description:
      agent.description ??
      `${name}, an Airlock agent. Questions and answers are sanitized and may wait for a person's approval.`,
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {
      bearer: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            scheme: 'Bearer',
            bearerFormat: '',
            description: 'The token Airlock issued this client (AIRLOCK_A2A_TOKENS).',
          },
        },
      },
    },
    securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    defaultInputModes: text,
    defaultOutputModes: text,
    skills: [
      {
        id: 'ask',
        name: `Ask ${name}`,
        description:
          'Ask one question in text. The task stays working while people approve the question and the answer; completed carries the sanitized answer.',
        tags: ['airlock'],
        examples: [],
        inputModes: text,
        outputModes: text,
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
}
