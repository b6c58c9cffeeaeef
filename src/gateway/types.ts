// What a gateway is bound to and what it is given: the agent's settings as a plain object (the
// session code fills it from the policy), the settings it serves the runner, the session, and the
// injected hooks through which the gateway reaches the rest of Airlock (sensitive actions, messages
// to the user, questions to other agents, the turn inbox).
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { McpHub } from '../mcp/types.ts';
import type { ModelApiName } from '../policy/agent-schema.ts';
import type { RunnerTool } from '../policy/capability-tools.ts';
import type { Level } from '../sanitize/types.ts';
import type { CredentialStore } from '../vault/types.ts';
import type { ModelAnswer } from './answer-text.ts';
import type { TurnInbox } from './inbox.ts';

/**
 * The user a box runs as (the sandbox driver starts every box as 1000:1000): the one user, besides
 * the worker, that may connect to a gateway's socket.
 */
export const SANDBOX_USER = { uid: 1000, gid: 1000 } as const;

/** The agent a gateway serves: everything the gateway enforces about it. */
export interface GatewayAgent {
  id: string;
  /** `research` may fetch allow-listed web hosts and holds no credentials; `action` has no web. */
  sensitivity: 'research' | 'action';
  /** The model API's base URL, e.g. `https://api.openai.com/v1`. */
  modelEndpoint: string;
  /** The wire protocols the endpoint takes, so the routes the box may call; unset: chat-completions. */
  modelApis?: ModelApiName[];
  /** Model ids (globs) the agent may call. */
  models: string[];
  /** Vault credential holding the model API key; its scope must allow this agent and endpoint. */
  apiKeyCredential: string;
  /** Tokens (prompt + completion) one session may use; unset: no limit. */
  tokenBudget?: number;
  /**
   * Host globs a research agent may fetch (hostname, or `host:port` when the glob has a colon).
   * Loopback, private, link-local and metadata addresses only through an exact `host:port` entry.
   */
  webHosts: string[];
  /** The sanitizer level fetched pages pass before the agent sees them; unset: strict. */
  webSanitizer?: Level;
  /** The MCP servers the agent holds (its `mcp:<server>` capabilities, the ids); unset: none. */
  mcpServers?: string[];
}

/** What the runner in the box is told about its agent (`GET /v1/agent`); nothing secret. */
export interface RunnerSettings {
  id: string;
  /** The system instructions. */
  instructions: string;
  /** The model id the runner asks for (the gateway enforces the agent's list). */
  model: string;
  /** The model wire protocols the gateway serves this agent (a harness picks its route); unset: chat-completions. */
  modelApis?: ModelApiName[];
  /** `research` also gets the `fetch` tool. */
  sensitivity: 'research' | 'action';
  /** The tools offered; unset: all the sensitivity allows. */
  tools?: string[];
  /** The agents this one may ask questions (`ask_agent`); empty: the tool is not offered. */
  mayAsk: string[];
  /** Model calls per turn. */
  maxSteps: number;
  /** `required`: the first model call of a turn must call a tool. */
  firstStepToolChoice: 'auto' | 'required';
  /** Typed tools of the agent's capabilities, each one sensitive request. */
  capabilityTools: RunnerTool[];
  /** Names the conversation file in the workspace the agent's sessions share. */
  sessionId: string;
}

/** The session a gateway belongs to. */
export interface GatewaySession {
  id: string;
  /** Tokens already used by this session (carried by the session across gateway restarts). */
  tokensUsed?: number;
}

/** A sensitive call the agent asks for, as validated at the edge. */
export interface ActionInput {
  capability: string;
  method: string;
  path: string;
  body?: unknown;
  purpose: string;
}

/** What became of a requested action. */
export type ActionOutcome =
  | { status: 'executed'; result: unknown }
  | { status: 'pending'; id: string }
  | { status: 'denied'; reason: string };

/** The request handed to `requestAction`: the input plus who asked, taken from the socket. */
export interface ActionRequest extends ActionInput {
  agentId: string;
  sessionId: string;
  /** The turn in flight when the agent asked (the inbox's current turn). */
  turn: string | null;
}

/**
 * A tool call `/mcp` refused before anything started (not offered to this agent, held back, or
 * arguments its schema refuses), handed to `onMcpRefused` so it is audited.
 */
export interface McpRefusal {
  agentId: string;
  sessionId: string;
  /** The turn in flight (the inbox's current turn), null between turns. */
  turn: string | null;
  /** The tool's name as the agent called it (`<server>__<tool>` for a server's tool). */
  name: string;
  /** The MCP server the name points at, when it names one the agent holds; else null. */
  server: string | null;
  /** The server's tool name (the name without `<server>__`), when `server` is set. */
  tool: string | null;
  arguments: Record<string, unknown>;
  reason: string;
}

/** A question to another agent, handed to `askAgent`; who asks is taken from the socket. */
export interface AskRequest {
  agentId: string;
  sessionId: string;
  /** The turn in flight when the agent asked (the inbox's current turn). */
  turn: string | null;
  /** The agent asked. */
  to: string;
  question: string;
}

/** What became of a question at once: on its way (the answer comes in a later turn), or refused. */
export type AskOutcome = { status: 'pending'; id: string } | { status: 'refused'; reason: string };

/** A progress message for the user, handed to `sendMessage`. */
export interface ProgressMessage {
  agentId: string;
  sessionId: string;
  text: string;
  /** The turn in flight (the inbox's current turn), null between turns. */
  turn: string | null;
  /** The message's number within the turn, from 1; a turn delivered again counts from 1 again, so (turn, seq) identifies a message across retries. */
  seq: number;
}

/** Limits the gateway applies; see `gatewayLimits` for the configured values. */
export interface GatewayLimits {
  maxBodyBytes: number;
  modelTimeoutMs: number;
  fetchTimeoutMs: number;
  fetchMaxBytes: number;
  inboxMaxWaitMs: number;
  /** Requests served at once, every route counted; past it: 429 `too_many_requests`. */
  maxInFlight: number;
  /** Most bytes of one model answer: a JSON answer past it is a 502, a stream is cut. */
  maxModelResponseBytes: number;
}

/** What an endpoint that acts for the agent's turn needs: who the agent is and the turn in flight. */
export interface TurnDeps {
  agent: GatewayAgent;
  sessionId: string;
  limits: GatewayLimits;
  logger: Logger;
  /** The turn in flight (the inbox's current turn), null between turns. */
  currentTurn(): string | null;
}

/** The gateway limits the config sets. */
export function gatewayLimits(config: Config): GatewayLimits {
  return {
    maxBodyBytes: config.AIRLOCK_GATEWAY_MAX_BODY,
    modelTimeoutMs: config.AIRLOCK_GATEWAY_MODEL_TIMEOUT_MS,
    fetchTimeoutMs: config.AIRLOCK_GATEWAY_FETCH_TIMEOUT_MS,
    fetchMaxBytes: config.AIRLOCK_GATEWAY_FETCH_MAX_BYTES,
    inboxMaxWaitMs: config.AIRLOCK_GATEWAY_INBOX_MAX_WAIT_MS,
    maxInFlight: config.AIRLOCK_GATEWAY_MAX_IN_FLIGHT,
    maxModelResponseBytes: config.AIRLOCK_GATEWAY_MAX_MODEL_RESPONSE,
  };
}

/** Everything a gateway instance needs; one instance serves one agent in one session. */
export interface GatewayOptions {
  /** The gateway's own directory (bind-mounted into the sandbox); the socket is created in it. */
  socketDir: string;
  agent: GatewayAgent;
  /** Served to the runner as `GET /v1/agent`. */
  runner: RunnerSettings;
  session: GatewaySession;
  store: CredentialStore;
  logger: Logger;
  limits: GatewayLimits;
  requestAction: (request: ActionRequest) => Promise<ActionOutcome>;
  sendMessage: (message: ProgressMessage) => Promise<void>;
  askAgent: (request: AskRequest) => Promise<AskOutcome>;
  inbox: TurnInbox;
  /** Called after each model call with the tokens it used and the session's total. */
  onUsage?: (usage: { tokens: number; total: number }) => void;
  /** Called as each model call starts (null) and when it has answered in full (its answer). */
  onAnswer?: (answer: ModelAnswer | null) => void;
  /** The worker's MCP servers: the `/mcp` endpoint lists the agent's granted tools through it. */
  mcp?: McpHub;
  /** Called (awaited, its failure logged) for each tool call `/mcp` refuses: the audit record. */
  onMcpRefused?: (refusal: McpRefusal) => Promise<void>;
}
