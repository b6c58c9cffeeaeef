// Cross-file checks over a collected policy set: duplicate ids (across files too), references to
// agents, capabilities, users and groups that do not exist, and settings that contradict each
// other (a quorum larger than the approvers, escalation after expiry, DMs without an identity).
// The agents section has its own file (check-agents.ts).
import { isSeq } from 'yaml';
import { checkAgents } from './check-agents.ts';
import { checkHeldWithoutApprovers, checkOrigins } from './check-origins.ts';
import { checkMcp } from './check-mcp.ts';
import { checkMcpRules } from './check-mcp-rules.ts';
import { mcpPrefix } from './mcp-schema.ts';
import { checkTools } from './check-tools.ts';
import { a2aPrefix } from './fields.ts';
import { locate } from './locate.ts';
import { problemAt } from './problems.ts';
import { effectiveCards, effectiveExpiryMs, expandApprovers } from './resolve.ts';
import type { Cards } from './schema.ts';
import type { Collected, Origin, Section } from './collected.ts';
import type { PolicyProblem } from './types.ts';

const nouns: Record<Section, string> = {
  users: 'user',
  groups: 'group',
  agents: 'agent',
  capabilities: 'capability',
  mcpServers: 'MCP server',
  rules: 'rule',
  links: 'link',
};

/** Run every cross-file check; problems make the set invalid, warnings do not. */
export function checkSet(c: Collected): { problems: PolicyProblem[]; warnings: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const warnings: PolicyProblem[] = [];
  const add = (at: Origin, sub: (string | number)[], message: string) =>
    problems.push(problemAt(at.src, [...at.path, ...sub], message));
  const warn = (at: Origin, sub: (string | number)[], message: string) =>
    warnings.push(problemAt(at.src, [...at.path, ...sub], message));
  const declared = declareIds(c, add);
  const has = (section: Section, name: string) => declared[section].has(name);
  const ref = (at: Origin, field: string, i: number, section: Section, name: string) => {
    if (!has(section, name)) add(at, listPath(at, field, i), `unknown ${nouns[section]} "${name}"`);
  };
  const users = c.users.map((e) => e.value);
  const groups = c.groups.map((e) => e.value);
  const capability = (name: string) => c.capabilities.find((e) => e.value.id === name)?.value;

  for (const { value: g, at } of c.groups) {
    g.members.forEach((m, i) => ref(at, 'members', i, 'users', m));
  }
  checkAgents(c, { add, warn, ref, has });
  checkTools(c, { add, warn, ref, has });
  checkMcp(c, { add, warn, ref, has });
  checkMcpRules(c, { add, warn, ref, has });

  // Approver checks shared by rules and links; returns nothing, reports into `problems`.
  const checkApproval = (
    at: Origin,
    sub: (string | number)[],
    approval: {
      approvers: { users: string[]; groups: string[] };
      quorum: number;
      rejectionsToDeny?: number;
      escalation?: { after: number; approvers: { users: string[]; groups: string[] } }[];
      expiry?: { after: number };
      cards?: Cards;
    },
  ) => {
    const here: Origin = { src: at.src, path: [...at.path, ...sub] };
    const cards = effectiveCards(c.settings, approval.cards);
    const levels = [
      { path: ['approvers'], selector: approval.approvers },
      ...(approval.escalation ?? []).map((e, i) => ({
        path: ['escalation', i, 'approvers'],
        selector: e.approvers,
      })),
    ];
    const counts = levels.map(({ path, selector }) => {
      const origin: Origin = { src: at.src, path: [...here.path, ...path] };
      selector.users.forEach((u, i) => ref(origin, 'users', i, 'users', u));
      selector.groups.forEach((g, i) => ref(origin, 'groups', i, 'groups', g));
      // Only count when every reference is valid, so one bad group does not cascade.
      const complete =
        selector.users.every((u) => users.some((x) => x.id === u)) &&
        selector.groups.every((g) => groups.some((x) => x.id === g));
      if (!complete) return null;
      const approvers = expandApprovers({ users, groups }, selector);
      for (const p of approvers) {
        if (cards.teams?.directMessages && p.aadObjectId === undefined) {
          add(
            origin,
            [],
            `approver "${p.id}" has no Teams identity (tenantId + aadObjectId), but cards go to Teams direct messages`,
          );
        }
        if (cards.slack?.directMessages && p.slackUserId === undefined) {
          add(
            origin,
            [],
            `approver "${p.id}" has no slackUserId, but cards go to Slack direct messages`,
          );
        }
      }
      return approvers.length;
    });
    const n = counts[0];
    if (n !== null && n !== undefined) {
      if (approval.quorum > n)
        add(here, ['quorum'], `quorum ${approval.quorum} is more than the ${n} approver(s)`);
      if ((approval.rejectionsToDeny ?? 1) > n) {
        add(
          here,
          ['rejectionsToDeny'],
          `rejectionsToDeny ${approval.rejectionsToDeny} is more than the ${n} approver(s)`,
        );
      }
    }
    const expiryMs = effectiveExpiryMs(c.settings, approval.expiry);
    let previous = 0;
    (approval.escalation ?? []).forEach((level, i) => {
      if (level.after <= previous)
        add(
          here,
          ['escalation', i, 'after'],
          'escalation levels must come later one after another',
        );
      if (level.after >= expiryMs)
        add(here, ['escalation', i, 'after'], 'escalation must come before the request expires');
      previous = level.after;
    });
  };

  for (const { value: r, at } of c.rules) {
    r.agent?.forEach((name, i) => ref(at, 'agent', i, 'agents', name));
    // An MCP server's name (`mcp:<id>`) is checked with its tools (check-mcp-rules.ts).
    r.capability?.forEach((name, i) => {
      if (!name.startsWith(mcpPrefix)) ref(at, 'capability', i, 'capabilities', name);
    });
    const caps = (r.capability ?? []).map(capability);
    if (r.capability && caps.every((cap) => cap !== undefined)) {
      r.method?.forEach((m, i) => {
        if (!caps.some((cap) => cap.methods.includes(m))) {
          add(at, listPath(at, 'method', i), `no capability of this rule allows method ${m}`);
        }
      });
    }
    if (r.approval) checkApproval(at, ['approval'], r.approval);
  }

  for (const { value: l, at } of c.links) {
    // An external A2A client is no agent: the link alone lets it ask.
    if (!l.from.startsWith(a2aPrefix)) ref(at, 'from', -1, 'agents', l.from);
    // An external A2A agent is no agent either: the link's card says where it is.
    if (!l.to.startsWith(a2aPrefix)) ref(at, 'to', -1, 'agents', l.to);
    const from = c.agents.find((e) => e.value.id === l.from)?.value;
    if (from && !from.mayAsk.includes(l.to)) {
      add(at, ['to'], `agent "${l.from}" may not ask "${l.to}": add it to the agent's mayAsk`);
    }
    if (l.approval) checkApproval(at, ['approval'], { ...l.approval, rejectionsToDeny: 1 });
  }
  checkOrigins(c, warn);
  checkHeldWithoutApprovers(c, warn);
  return { problems, warnings };
}

function declareIds(
  c: Collected,
  add: (at: Origin, sub: (string | number)[], message: string) => void,
): Record<Section, Map<string, Origin>> {
  const declared: Record<Section, Map<string, Origin>> = {
    users: new Map(),
    groups: new Map(),
    agents: new Map(),
    capabilities: new Map(),
    mcpServers: new Map(),
    rules: new Map(),
    links: new Map(),
  };
  for (const { section, item, at } of c.raw) {
    const key = keyOf(section, item);
    if (key === undefined) continue;
    const first = declared[section].get(key);
    if (first) {
      const { line, column } = locate(
        first.src,
        section === 'links' ? first.path : [...first.path, 'id'],
      );
      const where = `${first.src.file}:${line}:${column}`;
      add(
        at,
        section === 'links' ? [] : ['id'],
        `duplicate ${nouns[section]} "${key}" (first defined at ${where})`,
      );
    } else {
      declared[section].set(key, at);
    }
  }
  return declared;
}

function keyOf(section: Section, item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const o = item as Record<string, unknown>;
  if (section === 'links') {
    return typeof o.from === 'string' && typeof o.to === 'string'
      ? `${o.from} -> ${o.to}`
      : undefined;
  }
  return typeof o.id === 'string' ? o.id : undefined;
}

/** The path of element `i` of `field`, or of `field` itself when it was written as one value. */
function listPath(at: Origin, field: string, i: number): (string | number)[] {
  const node = at.src.doc.getIn([...at.path, field], true);
  return i >= 0 && isSeq(node) ? [field, i] : [field];
}
