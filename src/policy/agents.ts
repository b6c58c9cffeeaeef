// An agent as sessions, sandboxes and the gateway use it: everything resolved from the policy set
// into one plain JSON object (defaults applied, durations in ms, talkers expanded to the people
// with their Teams and Slack ids), so a workflow can pin it in its history. Who may talk to an
// agent is decided here, with the same identity match approval clicks use.
import { AirlockError } from '../errors.ts';
import { globMatch } from '../glob.ts';
import type { ApproverIdentity } from '../../workflows/sensitive-action/messages.ts';
import { isApprover } from '../../workflows/sensitive-action/identity.ts';
import type { ModelApiName } from './agent-schema.ts';
import type { MemoryScope } from './memory.ts';
import { expandApprovers } from './resolve.ts';
import type { RunnerTool } from './capability-tools.ts';
import type { ApproverRef, PolicySet } from './types.ts';

/** A person allowed to talk to an agent: a policy user with their chat identities. */
export type Talker = ApproverRef;

/** An agent ready to run: every field filled in, plain JSON. */
export interface ResolvedAgent {
  id: string;
  displayName: string;
  description: string | null;
  /** The system instructions ('' when the policy gives none). */
  instructions: string;
  sensitivity: 'research' | 'action';
  model: {
    /** Base URL of the API (…/v1), without a trailing slash. */
    endpoint: string;
    /** The wire protocols the endpoint takes, when the policy names them; absent: chat-completions. */
    apis?: ModelApiName[];
    model: string;
    /** Models the agent may ask for; always contains `model`. */
    allowedModels: string[];
    /** Vault entry holding the API key the gateway injects. */
    apiKeyCredential: string;
    /** Tokens one session may use in total. */
    tokenBudget: number;
    /** Model calls one turn may make (absent in an agent pinned by an older run: 20). */
    maxSteps?: number;
    /** Whether the first model call of a turn must call a tool (absent in older pins: auto). */
    firstStepToolChoice?: 'auto' | 'required';
  };
  /** Capability ids (always empty for a research agent). */
  capabilities: string[];
  /** The typed tools of its capabilities (always empty for a research agent; absent in older pins). */
  capabilityTools?: RunnerTool[];
  /** The tools it is offered, when the policy names them; undefined: all it may use. */
  tools?: string[];
  /** Vault entries the agent's capabilities use (never the model key). */
  credentials: string[];
  /** Host globs a research agent may fetch (always empty for an action agent). */
  webAllowHosts: string[];
  /** A research agent's sanitizer level for fetched pages (unset for an action agent). */
  webSanitizer?: 'lenient' | 'standard' | 'strict';
  limits: { memoryMb: number; cpus: number; pids: number };
  /** The image a policy names for the agent's box (another harness); absent: the base image. */
  image?: string;
  idleTimeoutMs: number;
  /** Whose workspace a session mounts: its own, its talker's, or the agent's (shared by all). */
  memory: MemoryScope;
  /** Conversations one person may have open (not idle) with the agent at once. */
  maxSessionsPerTalker: number;
  /** Everyone who may talk to the agent, users first, then group members, each once. */
  talkers: Talker[];
  mayAsk: string[];
}

/**
 * Resolve agent `agentId` of a validated set. Throws AirlockError `agent_unknown` when the set has
 * no such agent, `agent_no_model` when it has one that cannot run (no `model`).
 */
export function resolveAgent(set: PolicySet, agentId: string): ResolvedAgent {
  const agent = set.agents.find((a) => a.id === agentId);
  if (!agent) throw new AirlockError('agent_unknown', `No agent "${agentId}" in the policy.`);
  const { model } = agent;
  if (!model) {
    throw new AirlockError(
      'agent_no_model',
      `Agent "${agentId}" has no model in the policy, so it cannot run; add model: to it.`,
    );
  }
  const research = agent.sensitivity === 'research';
  return {
    id: agent.id,
    displayName: agent.displayName ?? agent.id,
    description: agent.description ?? null,
    instructions: agent.instructions ?? '',
    sensitivity: agent.sensitivity,
    model: {
      endpoint: model.endpoint.replace(/\/+$/, ''),
      // Only when named, so an agent that does not (and one pinned by an older run) stays as it was.
      ...(model.apis && { apis: [...model.apis] }),
      model: model.model,
      allowedModels: [...(model.allowedModels ?? [model.model])],
      apiKeyCredential: model.apiKeyCredential,
      tokenBudget: model.tokenBudget,
      maxSteps: model.maxSteps,
      firstStepToolChoice: model.firstStepToolChoice,
    },
    // A valid set already guarantees these; resolving again keeps a research agent empty-handed
    // even if a caller hands in an unchecked set.
    capabilities: research ? [] : [...agent.capabilities],
    capabilityTools: research ? [] : capabilityTools(set, agent.capabilities),
    ...(agent.tools && { tools: [...agent.tools] }),
    credentials: research ? [] : [...agent.credentials],
    webAllowHosts: research ? [...(agent.web?.allowHosts ?? [])] : [],
    ...(research ? { webSanitizer: agent.web?.sanitizer ?? 'strict' } : {}),
    limits: {
      memoryMb: agent.sandbox.memoryMb,
      cpus: agent.sandbox.cpus,
      pids: agent.sandbox.pids,
    },
    ...(agent.sandbox.image && { image: agent.sandbox.image }),
    idleTimeoutMs: agent.sandbox.idleTimeout,
    memory: agent.memory,
    maxSessionsPerTalker: agent.maxSessionsPerTalker,
    talkers: expandApprovers(set, agent.talkers),
    mayAsk: [...agent.mayAsk],
  };
}

/** True when `identity` (as the chat layer verified it) is one of the agent's talkers. */
export function mayTalk(
  agent: Pick<ResolvedAgent, 'talkers'>,
  identity: ApproverIdentity,
): boolean {
  return agent.talkers.some((talker) => isApprover(identity, talker));
}

/**
 * True when a research agent may fetch `url`: http(s), no credentials in it, and a host matching
 * one of its globs. A glob with a port ("127.0.0.1:*") is matched against host:port, the port
 * always explicit (80/443 when the URL leaves it out); one without a port against the host name
 * alone, on any port. Host names compare lower-case.
 */
export function mayFetch(agent: Pick<ResolvedAgent, 'webAllowHosts'>, url: URL): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return agent.webAllowHosts.some((glob) =>
    globMatch(glob.toLowerCase(), glob.includes(':') ? `${url.hostname}:${port}` : url.hostname),
  );
}

/** True when policy user `userId` is one of the agent's talkers (the CLI's `--as` check). */
export function mayTalkAs(agent: Pick<ResolvedAgent, 'talkers'>, userId: string): boolean {
  return agent.talkers.some((talker) => talker.id === userId);
}

// The tools of `capabilities`, in their order, each naming its capability.
function capabilityTools(set: PolicySet, capabilities: string[]): RunnerTool[] {
  return capabilities.flatMap((id) =>
    (set.capabilities.find((c) => c.id === id)?.tools ?? []).map((t) => ({
      name: t.name,
      description: t.description,
      capability: id,
      method: t.method,
      path: t.path,
      fields: structuredClone(t.fields),
    })),
  );
}
