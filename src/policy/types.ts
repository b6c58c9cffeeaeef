// The policy engine's public shapes: what callers pass in and what a decision contains. Durations
// are plain milliseconds so decisions are plain JSON that workflows can pin in their history.
import type { Agent, Capability, Group, Link, McpServer, Rule, Settings, User } from './schema.ts';

/** A validated, merged policy set: every file's sections concatenated in file order. */
export interface PolicySet {
  settings: Settings;
  users: User[];
  groups: Group[];
  agents: Agent[];
  capabilities: Capability[];
  /** The MCP servers agents may hold (`mcp:<id>`). */
  mcpServers: McpServer[];
  rules: Rule[];
  links: Link[];
}

/** A loaded policy set with its content hash and the files it came from. */
export interface LoadedPolicy {
  set: PolicySet;
  /** sha256 (hex) of the canonical serialization of `set`. */
  hash: string;
  files: string[];
  /** Legal but probably unintended (e.g. an agent nobody may talk to); `policy check` prints them. */
  warnings: PolicyProblem[];
}

/** One problem found while loading a policy set; line and column are 1-based (0 when unknown). */
export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  /** JSON path of the offending value, e.g. `$.rules[1].agent`. */
  path: string;
  message: string;
}

// The request, approver and decision shapes are the workflow's (they are pinned in its history).
import type {
  ActionRequest,
  Approver as ApproverRef,
  CapabilityRef,
  CardTargets,
  GrantOption,
  PolicyDecision,
  RequestOrigin,
} from '../../workflows/sensitive-action/request.ts';
export type {
  ActionRequest,
  ApproverRef,
  CapabilityRef,
  CardTargets,
  GrantOption,
  PolicyDecision,
  RequestOrigin,
};

/** How a question from one agent to another, and its answer, cross the boundary. */
export interface LinkSettings {
  from: string;
  to: string;
  approveQuestion: boolean;
  approveAnswer: boolean;
  /** What a step whose text tells its reader to act gets: a card every time, a refusal, or nothing. */
  onInstructions: 'hold' | 'reject' | 'allow';
  approvers: ApproverRef[];
  quorum: number;
  allowSelfApproval: boolean;
  reminderEveryMs: number | null;
  expiry: { afterMs: number; outcome: 'deny' };
  cards: CardTargets;
  sanitizer: 'lenient' | 'standard' | 'strict';
  maxAnswerLength: number;
  /** Each direction with its defaults applied: the link's sanitizer; 2000 / maxAnswerLength. */
  question: { level: 'lenient' | 'standard' | 'strict'; maxLength: number };
  answer: { level: 'lenient' | 'standard' | 'strict'; maxLength: number };
  /** How long the target may take to answer (ms). */
  timeLimitMs: number;
  /** The external A2A agent's card and vault entry, for a link `to: a2a:<name>` only. */
  external?: { cardUrl: string; credential: string | null };
  policyHash: string;
}

export type { Agent, Capability, Group, Link, McpServer, Rule, Settings, User };
