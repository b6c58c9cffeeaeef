// Precomputes what evaluation needs from a loaded policy (lookups by id, rules grouped by
// capability in their original order, expanded approvers), once per LoadedPolicy object. The
// cache is invisible to callers: evaluation stays a pure function of policy, request and time.
import { globMatch } from '../glob.ts';
import { mcpCapabilityPrefix } from '../../workflows/sensitive-action/mcp-call.ts';
import {
  effectiveCards,
  effectiveExpiryMs,
  effectiveReminderMs,
  expandApprovers,
} from './resolve.ts';
import type {
  Agent,
  Approval,
  Capability,
  Condition,
  McpServer,
  Rule,
  TimeWindow,
} from './schema.ts';
import type {
  LinkSettings,
  LoadedPolicy,
  PolicyDecision,
  PolicySet,
  RequestOrigin,
} from './types.ts';

/** The parts of an `approve` decision that come from the rule alone. */
export type ApprovalTemplate = Omit<
  PolicyDecision,
  'decision' | 'rule' | 'reason' | 'policyHash' | 'capability'
>;

/** A rule prepared for matching; a null matcher matches anything. Every field is always set, so
 * all compiled rules share one object shape (keeps the matching loop monomorphic). */
export interface CompiledRule {
  rule: Rule;
  agents: Set<string> | null;
  methods: Set<string> | null;
  paths: PathPattern[] | null;
  conditions: { condition: Condition; segments: string[] }[];
  windows: TimeWindow[] | null;
  approval: ApprovalTemplate | null;
  /** For an allow rule: the origins it passes (default: a person only). */
  origins: ReadonlySet<RequestOrigin>;
}

/** Everything evaluation looks up, keyed for speed. */
export interface Compiled {
  agents: Map<string, Agent>;
  capabilities: Map<string, { value: Capability; paths: PathPattern[] }>;
  /** The MCP servers by id (requests name them `mcp:<id>`). */
  mcpServers: Map<string, McpServer>;
  rulesByCapability: Map<string, CompiledRule[]>;
  /** Candidate rules per agent, capability and method, in rule order; filled on first use. */
  candidates: Map<string, CompiledRule[]>;
  links: Map<string, Omit<LinkSettings, 'policyHash'>>;
  timeZone: string;
  expiryMs: number;
}

/** The longest question a link lets through when it does not say. */
export const defaultQuestionLength = 2000;

const cache = new WeakMap<LoadedPolicy, Compiled>();

/** The compiled form of `policy`, built on first use. */
export function compile(policy: LoadedPolicy): Compiled {
  let compiled = cache.get(policy);
  if (!compiled) {
    compiled = build(policy.set);
    cache.set(policy, compiled);
  }
  return compiled;
}

/** A glob with its literal prefix (everything before the first wildcard), checked first. */
export interface PathPattern {
  prefix: string;
  pattern: string;
}

function pathPatterns(patterns: readonly string[]): PathPattern[] {
  return patterns.map((pattern) => {
    const wild = pattern.search(/[*?]/);
    return { prefix: wild < 0 ? pattern : pattern.slice(0, wild), pattern };
  });
}

/** True when `path` matches one of `patterns`. */
export function anyGlob(patterns: readonly PathPattern[], path: string): boolean {
  // A match must start with the literal prefix, so the cheap native check rules most rules out.
  for (const p of patterns)
    if (path.startsWith(p.prefix) && globMatch(p.pattern, path)) return true;
  return false;
}

/** The rules that can match requests from `agent` to `capability` with `method`, in order. */
export function candidates(
  c: Compiled,
  agent: string,
  capability: string,
  method: string,
): CompiledRule[] {
  const key = `${agent}\u0000${capability}\u0000${method}`;
  let list = c.candidates.get(key);
  if (!list) {
    list = (c.rulesByCapability.get(capability) ?? []).filter(
      (r) => (!r.agents || r.agents.has(agent)) && (!r.methods || r.methods.has(method)),
    );
    c.candidates.set(key, list);
  }
  return list;
}

function build(set: PolicySet): Compiled {
  const rules = set.rules.map((rule) => compileRule(set, rule));
  const rulesByCapability = new Map<string, CompiledRule[]>();
  // An MCP server's calls go under `mcp:<id>`, as a capability's under its id.
  const ids = [
    ...set.capabilities.map((c) => c.id),
    ...set.mcpServers.map((s) => `${mcpCapabilityPrefix}${s.id}`),
  ];
  for (const id of ids) {
    rulesByCapability.set(
      id,
      rules.filter((r) => !r.rule.capability || r.rule.capability.includes(id)),
    );
  }
  const links = new Map<string, Omit<LinkSettings, 'policyHash'>>();
  for (const l of set.links) {
    const a = l.approval;
    links.set(`${l.from} -> ${l.to}`, {
      from: l.from,
      to: l.to,
      approveQuestion: l.approveQuestion,
      approveAnswer: l.approveAnswer,
      onInstructions: l.onInstructions,
      approvers: a ? expandApprovers(set, a.approvers) : [],
      quorum: a?.quorum ?? 0,
      allowSelfApproval: a?.allowSelfApproval ?? false,
      reminderEveryMs: effectiveReminderMs(set.settings, a?.remindEvery),
      expiry: { afterMs: effectiveExpiryMs(set.settings, a?.expiry), outcome: 'deny' },
      cards: a ? effectiveCards(set.settings, a.cards) : { teams: null, slack: null },
      sanitizer: l.sanitizer,
      maxAnswerLength: l.maxAnswerLength,
      question: {
        level: l.question?.sanitizer ?? l.sanitizer,
        maxLength: l.question?.maxLength ?? defaultQuestionLength,
      },
      answer: {
        level: l.answer?.sanitizer ?? l.sanitizer,
        maxLength: l.answer?.maxLength ?? l.maxAnswerLength,
      },
      timeLimitMs: l.timeLimit,
      ...(l.card ? { external: { cardUrl: l.card, credential: l.credential ?? null } } : {}),
    });
  }
  return {
    agents: new Map(set.agents.map((a) => [a.id, a])),
    capabilities: new Map(
      set.capabilities.map((c) => [c.id, { value: c, paths: pathPatterns(c.paths) }]),
    ),
    mcpServers: new Map(set.mcpServers.map((s) => [s.id, s])),
    rulesByCapability,
    candidates: new Map(),
    links,
    timeZone: set.settings.timeZone ?? 'UTC',
    expiryMs: effectiveExpiryMs(set.settings, undefined),
  };
}

function compileRule(set: PolicySet, rule: Rule): CompiledRule {
  return {
    rule,
    agents: rule.agent ? new Set(rule.agent) : null,
    methods: rule.method ? new Set(rule.method) : null,
    // An MCP call's path is `/<tool>`: a rule's tools are its paths.
    paths: rule.path
      ? pathPatterns(rule.path)
      : rule.tool
        ? pathPatterns(rule.tool.map((t) => `/${t}`))
        : null,
    conditions: rule.when.map((condition) => ({ condition, segments: condition.field.split('.') })),
    windows: rule.during ?? null,
    approval: rule.approval ? approvalTemplate(set, rule.approval) : null,
    origins: new Set(rule.origins ?? ['person']),
  };
}

function approvalTemplate(set: PolicySet, a: Approval): ApprovalTemplate {
  return {
    approvers: expandApprovers(set, a.approvers),
    quorum: a.quorum,
    allowSelfApproval: a.allowSelfApproval,
    rejectionsToDeny: a.rejectionsToDeny,
    reminderEveryMs: effectiveReminderMs(set.settings, a.remindEvery),
    escalation: a.escalation.map((e) => ({
      afterMs: e.after,
      approvers: expandApprovers(set, e.approvers),
    })),
    expiry: { afterMs: effectiveExpiryMs(set.settings, a.expiry), outcome: 'deny' },
    grants: a.grants.map((kind) =>
      kind === 'duration' ? { kind, maxMs: a.grantMaxDuration ?? 0 } : { kind },
    ),
    grantKeyFields: [...a.grantKeyFields],
    cards: effectiveCards(set.settings, a.cards),
  };
}
