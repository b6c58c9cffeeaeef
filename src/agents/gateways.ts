// The gateways this worker runs: one per session whose sandbox lives on this host, each on a
// socket in its own directory under `<data>/gateways/`, which is bind-mounted into that session's
// box only. A gateway outlives its turns (the runner long-polls it between turns) and is closed
// when the box is stopped or removed. After a worker restart the next turn opens a new gateway on
// the same directory; the runner inside finds the new socket there.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import { createMemoryInbox, type MemoryInbox } from '../gateway/inbox.ts';
import { heldServers } from '../gateway/mcp-server-tools.ts';
import { createGateway, type Gateway } from '../gateway/server.ts';
import {
  gatewayLimits,
  type ActionOutcome,
  type ActionRequest,
  type AskOutcome,
  type AskRequest,
  type GatewayAgent,
  type McpRefusal,
  type RunnerSettings,
} from '../gateway/types.ts';
import type { Logger } from '../log.ts';
import type { McpHub } from '../mcp/types.ts';
import type { ResolvedAgent } from '../policy/agents.ts';
import type { CredentialStore } from '../vault/types.ts';
import { TurnAnswers } from './turn-answers.ts';

/** What a session's gateway calls back into. */
export interface SessionHooks {
  requestAction(request: ActionRequest): Promise<ActionOutcome>;
  sendMessage(message: { text: string; turn: string | null; seq: number }): Promise<void>;
  /** Ask another agent (the session starts an exchange). */
  askAgent(request: AskRequest): Promise<AskOutcome>;
  /** Audit a tool call `/mcp` refused (the turn's audit store); unset: only logged. */
  onMcpRefused?(refusal: McpRefusal): Promise<void>;
}

/** A session's open gateway and the inbox its turns go through. */
export interface SessionGateway {
  gateway: Gateway;
  inbox: MemoryInbox;
  /** What the model answered in each turn, as the gateway relayed it: the reply is posted from here. */
  answers: TurnAnswers;
  socketDir: string;
  /** Replace the callbacks (each turn binds its own: the turn number, the conversation). */
  bind(hooks: SessionHooks): void;
}

/** The gateway's view of an agent. */
export function gatewayAgent(agent: ResolvedAgent): GatewayAgent {
  return {
    id: agent.id,
    sensitivity: agent.sensitivity,
    modelEndpoint: agent.model.endpoint,
    modelApis: agent.model.apis ?? ['chat-completions'],
    models: agent.model.allowedModels,
    apiKeyCredential: agent.model.apiKeyCredential,
    tokenBudget: agent.model.tokenBudget,
    webHosts: agent.webAllowHosts,
    webSanitizer: agent.webSanitizer,
    mcpServers: heldServers(agent.capabilities),
  };
}

/** What the runner in the box is told about itself (nothing secret). */
export function runnerSettings(agent: ResolvedAgent, sessionId: string): RunnerSettings {
  return {
    id: agent.id,
    instructions: agent.instructions,
    model: agent.model.model,
    modelApis: agent.model.apis ?? ['chat-completions'],
    sensitivity: agent.sensitivity,
    maxSteps: agent.model.maxSteps ?? 20,
    firstStepToolChoice: agent.model.firstStepToolChoice ?? 'auto',
    // An agent pinned by an older run has neither: the runner then offers what it always did.
    capabilityTools: agent.capabilityTools ?? [],
    ...(agent.tools && { tools: [...agent.tools] }),
    sessionId,
    mayAsk: [...agent.mayAsk],
  };
}

/** The gateways of this process, by session id. */
export class GatewayRegistry {
  private readonly open = new Map<string, Promise<SessionGateway>>();
  private readonly config: Config;
  private readonly store: CredentialStore;
  private readonly logger: Logger;
  private readonly mcp: McpHub | undefined;

  /** `mcp`: the worker's MCP servers, whose granted tools each gateway lists on `/mcp`. */
  constructor(config: Config, store: CredentialStore, logger: Logger, mcp?: McpHub) {
    this.config = config;
    this.store = store;
    this.logger = logger;
    this.mcp = mcp;
  }

  /** The directory a session's gateway socket lives in (short: unix socket paths are limited). */
  socketDir(sessionId: string): string {
    const hash = createHash('sha256').update(sessionId).digest('hex').slice(0, 16);
    return resolve(this.config.AIRLOCK_DATA_DIR, 'gateways', hash);
  }

  /** The host file of a session's turn answers: outside `gateways/`, never mounted into a box. */
  answersFile(sessionId: string): string {
    const hash = createHash('sha256').update(sessionId).digest('hex').slice(0, 16);
    return resolve(this.config.AIRLOCK_DATA_DIR, 'turn-answers', `${hash}.json`);
  }

  /** The session's gateway, opened if this process has none; `tokensUsed` seeds its budget. */
  ensure(sessionId: string, agent: ResolvedAgent, tokensUsed: number): Promise<SessionGateway> {
    let entry = this.open.get(sessionId);
    if (!entry) {
      entry = this.start(sessionId, agent, tokensUsed);
      this.open.set(sessionId, entry);
      entry.catch(() => this.open.delete(sessionId));
    }
    return entry;
  }

  /** Close the session's gateway, if open here. */
  async close(sessionId: string): Promise<void> {
    const entry = this.open.get(sessionId);
    this.open.delete(sessionId);
    const open = await entry?.catch(() => undefined);
    await open?.gateway.close();
  }

  /** Close every gateway (worker shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.close(id)));
  }

  private async start(
    sessionId: string,
    agent: ResolvedAgent,
    tokensUsed: number,
  ): Promise<SessionGateway> {
    const socketDir = this.socketDir(sessionId);
    const inbox = createMemoryInbox();
    const answers = new TurnAnswers(this.answersFile(sessionId));
    let hooks: SessionHooks | undefined;
    const unbound = (): never => {
      throw new Error('no turn is running for this session');
    };
    const gateway = await createGateway({
      socketDir,
      agent: gatewayAgent(agent),
      session: { id: sessionId, tokensUsed },
      runner: runnerSettings(agent, sessionId),
      store: this.store,
      logger: this.logger,
      limits: gatewayLimits(this.config),
      inbox,
      requestAction: (request) => (hooks ?? unbound()).requestAction(request),
      sendMessage: ({ text, turn, seq }) => (hooks ?? unbound()).sendMessage({ text, turn, seq }),
      askAgent: (request) => (hooks ?? unbound()).askAgent(request),
      onAnswer: (answer) => answers.record(inbox.current ?? null, answer),
      mcp: this.mcp,
      // A refusal between turns is audited by the last turn's hooks (they know the session).
      onMcpRefused: (refusal) => hooks?.onMcpRefused?.(refusal) ?? Promise.resolve(),
    });
    return { gateway, inbox, answers, socketDir, bind: (h) => void (hooks = h) };
  }
}
