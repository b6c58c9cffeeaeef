// Precomputes what evaluation needs from a loaded policy (lookups by id, rules grouped by
// capability in their original order, expanded approvers), once per LoadedPolicy object. The
// cache is invisible to callers: evaluation stays a pure function of policy, request and time.
import { globMatch } from '../glob.ts';
import {
  effectiveCards,
  effectiveExpiryMs,
  effectiveReminderMs,
  expandApprovers,
} from './resolve.ts';
import type { Agent, Approval, Capability, Condition, Rule } from './schema.ts';
import type { LinkSettings, LoadedPolicy, PolicyDecision, PolicySet } from './types.ts';

/** The parts of an `approve` decision that come from the rule alone. */
export type ApprovalTemplate = Omit<
  PolicyDecision,
  'decision' | 'rule' | 'reason' | 'policyHash' | 'capability'
>;

/** A rule prepared for matching; absent matchers match anything. */
export interface CompiledRule {
  rule: Rule;
  agents?: Set<string>;
  methods?: Set<string>;
  paths?: (path: string) => boolean;
  conditions: { condition: Condition; segments: string[] }[];
  approval?: ApprovalTemplate;
}

/** Everything evaluation looks up, keyed for speed. */
export interface Compiled {
  agents: Map<string, Agent>;
  capabilities: Map<string, { value: Capability; paths: (path: string) => boolean }>;
  rulesByCapability: Map<string, CompiledRule[]>;
  links: Map<string, Omit<LinkSettings, 'policyHash'>>;
  timeZone: string;
  expiryMs: number;
}

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

function anyGlob(patterns: string[]): (path: string) => boolean {
  return (path) => patterns.some((p) => globMatch(p, path));
}

function build(set: PolicySet): Compiled {
  const rules = set.rules.map((rule) => compileRule(set, rule));
  const rulesByCapability = new Map<string, CompiledRule[]>();
  for (const cap of set.capabilities) {
    rulesByCapability.set(
      cap.id,
      rules.filter((r) => !r.rule.capability || r.rule.capability.includes(cap.id)),
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
      approvers: a ? expandApprovers(set, a.approvers) : [],
      quorum: a?.quorum ?? 0,
      allowSelfApproval: a?.allowSelfApproval ?? false,
      reminderEveryMs: effectiveReminderMs(set.settings, a?.remindEvery),
      expiry: { afterMs: effectiveExpiryMs(set.settings, a?.expiry), outcome: 'deny' },
      cards: a ? effectiveCards(set.settings, a.cards) : { teams: null, slack: null },
      sanitizer: l.sanitizer,
      maxAnswerLength: l.maxAnswerLength,
    });
  }
  return {
    agents: new Map(set.agents.map((a) => [a.id, a])),
    capabilities: new Map(
      set.capabilities.map((c) => [c.id, { value: c, paths: anyGlob(c.paths) }]),
    ),
    rulesByCapability,
    links,
    timeZone: set.settings.timeZone ?? 'UTC',
    expiryMs: effectiveExpiryMs(set.settings, undefined),
  };
}

function compileRule(set: PolicySet, rule: Rule): CompiledRule {
  const compiled: CompiledRule = {
    rule,
    conditions: rule.when.map((condition) => ({ condition, segments: condition.field.split('.') })),
  };
  if (rule.agent) compiled.agents = new Set(rule.agent);
  if (rule.method) compiled.methods = new Set(rule.method);
  if (rule.path) compiled.paths = anyGlob(rule.path);
  if (rule.approval) compiled.approval = approvalTemplate(set, rule.approval);
  return compiled;
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
