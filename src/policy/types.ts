// The policy engine's public shapes: what callers pass in and what a decision contains. Durations
// are plain milliseconds so decisions are plain JSON that workflows can pin in their history.
import type { Agent, Capability, Group, Link, Rule, Settings, User } from './schema.ts';

/** A validated, merged policy set: every file's sections concatenated in file order. */
export interface PolicySet {
  settings: Settings;
  users: User[];
  groups: Group[];
  agents: Agent[];
  capabilities: Capability[];
  rules: Rule[];
  links: Link[];
}

/** A loaded policy set with its content hash and the files it came from. */
export interface LoadedPolicy {
  set: PolicySet;
  /** sha256 (hex) of the canonical serialization of `set`. */
  hash: string;
  files: string[];
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

// The request and approver shapes are the workflow's (they are pinned in its history).
import type {
  ActionRequest,
  Approver as ApproverRef,
} from '../../workflows/sensitive-action/types.ts';
export type { ActionRequest, ApproverRef };

/** Where approval cards are posted. */
export interface CardTargets {
  teams: {
    channel?: { conversationId: string; serviceUrl?: string; tenantId?: string };
    directMessages: boolean;
  } | null;
  slack: { channel?: string; directMessages: boolean } | null;
}

/** A grant an approver may give: this request only, the rest of the session, or a time span. */
export interface GrantOption {
  kind: 'once' | 'session' | 'duration';
  maxMs?: number;
}

/** The capability a request goes through, as the vault needs it. */
export interface CapabilityRef {
  id: string;
  baseUrl: string;
  methods: string[];
  paths: string[];
  credential: string;
}

/** What the policy decided for one request, and everything the approval workflow needs. */
export interface PolicyDecision {
  decision: 'allow' | 'deny' | 'approve';
  rule: string | null;
  reason: string;
  policyHash: string;
  approvers: ApproverRef[];
  quorum: number;
  allowSelfApproval: boolean;
  rejectionsToDeny: number;
  reminderEveryMs: number | null;
  escalation: { afterMs: number; approvers: ApproverRef[] }[];
  expiry: { afterMs: number; outcome: 'deny' };
  grants: GrantOption[];
  grantKeyFields: string[];
  cards: CardTargets;
  capability: CapabilityRef | null;
}

/** How a question from one agent to another, and its answer, cross the boundary. */
export interface LinkSettings {
  from: string;
  to: string;
  approveQuestion: boolean;
  approveAnswer: boolean;
  approvers: ApproverRef[];
  quorum: number;
  allowSelfApproval: boolean;
  reminderEveryMs: number | null;
  expiry: { afterMs: number; outcome: 'deny' };
  cards: CardTargets;
  sanitizer: 'lenient' | 'standard' | 'strict';
  maxAnswerLength: number;
  policyHash: string;
}

export type { Agent, Capability, Group, Link, Rule, Settings, User };
