// The Agent Cards external A2A clients read. The public card of an agent (no token needed, so the
// SDKs' own resolvers work) says how to call it and nothing more: its name, JSON-RPC for A2A v1.0
// and v0.3 at one URL, bearer authentication, text in and out. What the policy says about the
// agent and about the calling client's link is in the extended card, which needs the token.
// The host's root card (/.well-known/agent-card.json) names every agent and where its card is.
import type { AgentCard, AgentInterface, AgentSkill } from '@a2a-js/sdk';
import type { Agent, Link } from '../policy/schema.ts';

const text = ['text/plain'];

/** The protocol versions served, as Major.Minor (v0.3 through the SDK's compat handler). */
export const servedVersions = ['1.0', '0.3'] as const;

/** The card's path under an agent's (or the host's) base URL. */
export const cardPath = '/.well-known/agent-card.json';

const jsonRpc = (url: string): AgentInterface[] =>
  servedVersions.map((v) => ({ url, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: v }));

const askSkill = (name: string): AgentSkill => ({
  id: 'ask',
  name: `Ask ${name}`,
  description:
    'Ask one question in text. The task stays working while people approve the question and the answer; completed carries the sanitized answer.',
  tags: ['airlock'],
  examples: [],
  inputModes: text,
  outputModes: text,
  securityRequirements: [],
});

/** A card with Airlock's fixed parts (bearer, text only, no streaming or push). */
function card(
  name: string,
  description: string,
  url: string,
  skills: AgentSkill[],
  extended = true,
): AgentCard {
  return {
    name,
    description,
    supportedInterfaces: jsonRpc(url),
    provider: undefined,
    version: '1.0.0',
    capabilities: {
      streaming: false,
      pushNotifications: false,
      extensions: [],
      extendedAgentCard: extended,
    },
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
    skills,
    signatures: [],
  };
}

/** The public card of `agent`, served at `url`: nothing the policy says about it. */
export function agentCard(agent: Agent, url: string): AgentCard {
  const name = agent.displayName ?? agent.id;
  return card(
    name,
    `${name}, an Airlock agent. Questions and answers are sanitized and may wait for a person's approval.`,
    url,
    [askSkill(name)],
  );
}

/** The extended card for an authenticated client: the policy's words on the agent and its link. */
export function extendedAgentCard(agent: Agent, url: string, link: Link | undefined): AgentCard {
  const pub = agentCard(agent, url);
  const about = [agent.description, link?.description && `Your link: ${link.description}`];
  const description = about.filter(Boolean).join(' ');
  return {
    ...pub,
    description: description ? `${description} ${pub.description}` : pub.description,
  };
}

/**
 * The host's root card. A2A puts one card at the well-known URI and has no index of several agents,
 * so this card stands for the Airlock A2A server: one skill per agent, whose id is the agent's id
 * and whose description gives its card's URL; its interfaces are the agents' endpoints, in order.
 */
export function rootCard(agents: Agent[], base: string): AgentCard {
  const skills = agents.map((a): AgentSkill => {
    const name = a.displayName ?? a.id;
    return {
      ...askSkill(name),
      id: a.id,
      description: `Ask ${name}: its Agent Card is ${base}/agents/${a.id}${cardPath}`,
      tags: ['airlock', 'agent'],
    };
  });
  const root = card(
    'Airlock',
    `Airlock's A2A server: ${agents.length} agent(s), each with its own Agent Card at ${base}/agents/<id>${cardPath} (the skills name them). Questions and answers are sanitized and may wait for a person's approval.`,
    base,
    skills,
    false,
  );
  return { ...root, supportedInterfaces: agents.flatMap((a) => jsonRpc(`${base}/agents/${a.id}`)) };
}
