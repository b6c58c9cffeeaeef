// Pure policy evaluation: the same policy, request and time always give the same decision.
// An exchange's approval step (request.exchange) is decided by the link instead (links.ts).
// Order: the agent, capability, method and path must be known and allowed (else deny; for an MCP
// call, `mcp:<server>`, the server declared and held, and the tool granted: mcp-gate.ts); then the
// rules, first match in file order (files in name order); nothing matches means deny. An `allow`
// rule matches only requests whose origins it names (default: a person); another agent's or an A2A
// client's request falls through to the next rule, and the reason says which allow rule it missed.
// A rule's onInstructions (default allow) may refuse, or hold for a card, a request whose purpose or
// body text tells its reader to act.
import type { Agent } from './schema.ts';
import { anyGlob, candidates, compile } from './compile.ts';
import type { CompiledRule } from './compile.ts';
import { conditionHolds, inWindow } from './conditions.ts';
import { empty, exchangeDecision } from './links.ts';
import { findingsSummary, requestFindings } from './request-findings.ts';
import { nonCanonicalPath } from '../request-path.ts';
import { mcpRefusal } from './mcp-gate.ts';
import {
  isMcpCapability,
  mcpCallName,
  mcpCallOf,
} from '../../workflows/sensitive-action/mcp-call.ts';
import type {
  ActionRequest,
  CapabilityRef,
  LoadedPolicy,
  PolicyDecision,
  RequestOrigin,
} from './types.ts';

export { linkFor } from './links.ts';

/** Decide what happens to `request` at time `now` under `policy`. */
export function evaluate(policy: LoadedPolicy, request: ActionRequest, now: Date): PolicyDecision {
  // An exchange's approval step is decided by its link alone, never by the rules.
  if (request.exchange) return exchangeDecision(policy, request);
  const c = compile(policy);
  const method = request.method.toUpperCase();
  const call = mcpCallOf(request);
  const what = call
    ? `${request.agent} calling ${mcpCallName(call)} (MCP)`
    : `${request.agent} ${method} ${request.path} on ${request.capability}`;
  const deny = (reason: string, cap: CapabilityRef | null) =>
    plain(policy, 'deny', null, reason, cap);

  const agent = c.agents.get(request.agent);
  if (!agent) return deny(`unknown agent "${request.agent}"`, null);
  let ref: CapabilityRef | null = null;
  if (isMcpCapability(request.capability)) {
    const refused = mcpRefusal(c, agent, request);
    if (refused) return deny(refused, null);
  } else {
    const cap = c.capabilities.get(request.capability);
    if (!cap) return deny(`unknown capability "${request.capability}"`, null);
    ref = capabilityRef(cap.value);
    if (!agent.capabilities.includes(cap.value.id)) {
      return deny(`agent "${agent.id}" may not use capability "${cap.value.id}"`, ref);
    }
    if (!cap.value.methods.includes(method as (typeof cap.value.methods)[number])) {
      return deny(`capability "${cap.value.id}" does not allow method ${method}`, ref);
    }
    const pathProblem = nonCanonicalPath(request.path);
    if (pathProblem) return deny(`path ${JSON.stringify(request.path)} ${pathProblem}`, ref);
    if (!anyGlob(cap.paths, request.path)) {
      return deny(`capability "${cap.value.id}" does not allow path ${request.path}`, ref);
    }
  }

  const origins = request.origins ?? ['person'];
  // Allow rules this request matched but whose origins leave it out, as the reason will say.
  const missed: string[] = [];
  const noting = (reason: string) => (missed.length ? `${reason}; ${missed.join('; ')}` : reason);
  for (const rule of candidates(c, agent.id, request.capability, method)) {
    if (!matches(rule, request, now, c.timeZone)) continue;
    if (rule.rule.decision === 'allow') {
      const outside = origins.filter((o) => !rule.origins.has(o));
      if (outside.length > 0) {
        missed.push(
          `rule "${rule.rule.id}" allows only requests ${startedBy([...rule.origins], ' or ')} started (origins: ${[...rule.origins].join(', ')}); this one was started by ${startedBy(outside, ' and ')}`,
        );
        continue;
      }
    }
    const name = `rule "${rule.rule.id}"${rule.rule.description ? ` (${rule.rule.description})` : ''}`;
    const on = rule.rule.onInstructions ?? 'allow';
    const found = on === 'allow' ? [] : requestFindings(request);
    const telling = found.length
      ? `${what} tells its reader to act (${findingsSummary(found)})`
      : '';
    if (telling && on === 'reject') {
      const reason = `${telling}, and ${name} rejects such requests (onInstructions: reject)`;
      return plain(policy, 'deny', rule.rule.id, noting(reason), ref);
    }
    if (rule.rule.decision === 'approve' && rule.approval) {
      const a = structuredClone(rule.approval);
      const names = a.approvers.map((p) => p.displayName).join(', ');
      const who = `${a.quorum} of ${a.approvers.length} approver(s) (${names})`;
      // Held: a card every time, so no grant is offered and none is looked up.
      const held = telling !== '';
      const reason = noting(
        held
          ? `${telling}: ${name} holds it for a card every time (onInstructions: hold); ${who}`
          : `${name} requires approval of ${what}: ${who}`,
      );
      return {
        decision: 'approve',
        rule: rule.rule.id,
        reason,
        policyHash: policy.hash,
        ...a,
        ...(held ? { grants: [] } : {}),
        capability: ref,
      };
    }
    // An approve rule always has an approval (the schema requires it); fail closed regardless.
    const decision = rule.rule.decision === 'allow' ? 'allow' : 'deny';
    const reason = noting(`${name} ${decision === 'allow' ? 'allows' : 'denies'} ${what}`);
    return plain(policy, decision, rule.rule.id, reason, ref);
  }
  return deny(noting(`no rule matches ${what}`) + '; nothing matching means deny', ref);
}

const origin: Record<RequestOrigin, string> = {
  person: 'a person',
  agent: 'another agent',
  a2a: 'an A2A client',
};

/** "a person or another agent", "another agent and an A2A client". */
function startedBy(origins: RequestOrigin[], joiner: string): string {
  return origins.map((o) => origin[o]).join(joiner);
}

/** Whether the rule's path, conditions and time windows hold (agent and method are indexed). */
function matches(r: CompiledRule, request: ActionRequest, now: Date, timeZone: string): boolean {
  if (r.paths !== null && !anyGlob(r.paths, request.path)) return false;
  for (const c of r.conditions) {
    if (!conditionHolds(c.condition, c.segments, request.body)) return false;
  }
  if (r.windows !== null && !r.windows.some((w) => inWindow(w, now, timeZone))) return false;
  return true;
}

function capabilityRef(cap: CapabilityRef): CapabilityRef {
  return {
    id: cap.id,
    baseUrl: cap.baseUrl,
    methods: [...cap.methods],
    paths: [...cap.paths],
    credential: cap.credential,
  };
}

function plain(
  policy: LoadedPolicy,
  decision: 'allow' | 'deny',
  rule: string | null,
  reason: string,
  capability: CapabilityRef | null,
): PolicyDecision {
  return { decision, rule, reason, ...empty(policy), capability };
}

/** The agent with `id`, or null when the policy does not define it. */
export function agentFor(policy: LoadedPolicy, id: string): Agent | null {
  const agent = compile(policy).agents.get(id);
  return agent ? structuredClone(agent) : null;
}
