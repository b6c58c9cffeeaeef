// Links: how a question from one agent to another, and its answer, cross. An exchange pins its
// link once (resolveLink); each approval step of it is decided by the link alone, never by the
// rules (exchangeDecision): no link is a deny, a step the link does not gate is an allow. A step
// whose text tells its reader to act gets what the link's onInstructions says (default: a card).
import { compile } from './compile.ts';
import { a2aPrefix } from './fields.ts';
import { findingsSummary } from './request-findings.ts';
import { findInstructions } from '../sanitize/instructions.ts';
import type { ActionRequest, LinkSettings, LoadedPolicy, PolicyDecision } from './types.ts';
import type { PinnedLink } from '../../workflows/agent-exchange/types.ts';

/** The capability every exchange approval step names. */
export const exchangeCapability = 'agent-exchange';

/** The settings for questions from agent `from` to agent `to`, or null when not allowed. */
export function linkFor(policy: LoadedPolicy, from: string, to: string): LinkSettings | null {
  const c = compile(policy);
  // An agent asks only whom its mayAsk lists; an external A2A client has no entry: its link is all.
  if (!from.startsWith(a2aPrefix) && !c.agents.get(from)?.mayAsk.includes(to)) return null;
  if (from.startsWith(a2aPrefix) && !c.agents.has(to)) return null;
  const link = c.links.get(`${from} -> ${to}`);
  return link ? { ...structuredClone(link), policyHash: policy.hash } : null;
}

/** The link `from -> to` as an exchange pins it, or null when `from` may not ask `to`. */
export function resolveLink(policy: LoadedPolicy, from: string, to: string): PinnedLink | null {
  const l = linkFor(policy, from, to);
  if (!l) return null;
  return {
    from: l.from,
    to: l.to,
    approveQuestion: l.approveQuestion,
    approveAnswer: l.approveAnswer,
    question: l.question,
    answer: l.answer,
    timeLimitMs: l.timeLimitMs,
    policyHash: l.policyHash,
    ...(l.external ? { external: l.external } : {}),
  };
}

/** The name a link goes by in decisions, audit records and grants: `link:a->b`. */
export function linkRuleName(from: string, to: string): string {
  return `link:${from}->${to}`;
}

/**
 * The decision for one approval step of an exchange (`request.exchange` set), from the link
 * alone. Grants offered are once and session: with grantKeyFields empty and the agent being the
 * step's author, a session grant covers that agent's later steps of the same kind in the session.
 */
export function exchangeDecision(policy: LoadedPolicy, request: ActionRequest): PolicyDecision {
  const ex = request.exchange;
  const rule = ex ? linkRuleName(ex.from, ex.to) : null;
  const deny = (reason: string): PolicyDecision => ({
    ...empty(policy),
    decision: 'deny',
    rule,
    reason,
  });
  if (!ex) return deny('not an exchange step');
  const mismatch = stepMismatch(request);
  if (mismatch) return deny(`malformed exchange step: ${mismatch}`);
  const link = linkFor(policy, ex.from, ex.to);
  if (!link)
    return deny(
      `no link ${ex.from} -> ${ex.to}: agent "${ex.from}" may not ask agent "${ex.to}" (add it to the agent's mayAsk and a link to links)`,
    );
  const what =
    ex.step === 'question'
      ? `the question from ${ex.from} to ${ex.to}`
      : `the answer from ${ex.to} to ${ex.from}`;
  const gated = ex.step === 'question' ? link.approveQuestion : link.approveAnswer;
  // The text is read again here, not taken from the request, so the decision rests on what would
  // cross, whoever built the request.
  const found = link.onInstructions === 'allow' ? [] : findInstructions(ex.text);
  const held = found.length > 0 && link.onInstructions === 'hold';
  if (found.length > 0 && link.onInstructions === 'reject')
    return deny(
      `${what} tells its reader to act (${findingsSummary(found)}), and ${rule} rejects such text (onInstructions: reject)`,
    );
  if (!gated && !held)
    return {
      ...empty(policy),
      decision: 'allow',
      rule,
      reason: `${rule} lets ${what} through without approval`,
    };
  const holding = held
    ? `${what} tells its reader to act (${findingsSummary(found)}): ${rule} holds it for a card every time (onInstructions: hold)`
    : null;
  // The schema requires approvers on a gating link; fail closed regardless (and a held step on a
  // link that names none has nobody to show it to).
  if (link.approvers.length === 0)
    return deny(
      holding ? `${holding}, but names no approvers` : `${rule} names no approvers for ${what}`,
    );
  const names = link.approvers.map((a) => a.displayName).join(', ');
  const who = `${link.quorum} of ${link.approvers.length} approver(s) (${names})`;
  return {
    ...empty(policy),
    decision: 'approve',
    rule,
    reason: holding ? `${holding}; ${who}` : `${rule} requires approval of ${what}: ${who}`,
    approvers: link.approvers,
    quorum: link.quorum,
    allowSelfApproval: link.allowSelfApproval,
    rejectionsToDeny: 1,
    reminderEveryMs: link.reminderEveryMs,
    escalation: [],
    expiry: link.expiry,
    // A held step offers no grant and no grant covers it: each such text gets its own card.
    grants: held ? [] : [{ kind: 'once' }, { kind: 'session' }],
    grantKeyFields: [],
    cards: link.cards,
  };
}

/** Why the request does not have the shape of its exchange step, or null when it does. */
function stepMismatch(request: ActionRequest): string | null {
  const ex = request.exchange!;
  const question = ex.step === 'question';
  if (ex.step !== 'question' && ex.step !== 'answer') return `unknown step "${String(ex.step)}"`;
  if (request.capability !== exchangeCapability)
    return `capability must be "${exchangeCapability}"`;
  const author = question ? ex.from : ex.to;
  if (request.agent !== author) return `the ${ex.step} step's agent must be "${author}"`;
  const method = question ? 'ASK' : 'ANSWER';
  if (request.method.toUpperCase() !== method) return `the ${ex.step} step's method is ${method}`;
  return null;
}

/** A decision with nothing to approve, grant or execute (the rules' allow and deny use it too). */
export function empty(policy: LoadedPolicy): Omit<PolicyDecision, 'decision' | 'rule' | 'reason'> {
  return {
    policyHash: policy.hash,
    approvers: [],
    quorum: 0,
    allowSelfApproval: false,
    rejectionsToDeny: 0,
    reminderEveryMs: null,
    escalation: [],
    expiry: { afterMs: compile(policy).expiryMs, outcome: 'deny' },
    grants: [],
    grantKeyFields: [],
    cards: { teams: null, slack: null },
    capability: null,
  };
}
