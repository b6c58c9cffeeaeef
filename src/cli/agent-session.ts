// The CLI's side of an agent session: who the operator speaks as (a policy user who may talk to the
// agent, checked before anything is sent), which session that is, sending a message, and reading
// the status query with a bound, since a session without a running worker cannot answer it.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import { sendToAgent } from '../agents/sessions.ts';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import { mayTalkAs, resolveAgent, type ResolvedAgent } from '../policy/agents.ts';
import { loadPolicySet } from '../policy/load.ts';
import type { PolicySet } from '../policy/types.ts';
import { sessionWorkflowId } from '../../workflows/agent-session/ids.ts';
import {
  sessionStatusQuery,
  type ConversationRef,
  type SessionReply,
  type SessionSender,
  type SessionStatus,
} from '../../workflows/agent-session/messages.ts';
import { queryWithin } from './client.ts';
import { terminalSafe } from './io.ts';

/** The operator's login name (the CLI sender's platform user id). */
export function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

/** The operator's default conversation with an agent: `cli-<policy user id>`, as a key. */
const cliKey = (name: string) => `cli-${name.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 80);

function policyUser(set: PolicySet, name: string) {
  const lower = name.toLowerCase();
  return set.users.find((u) => u.id === name || u.email?.toLowerCase() === lower);
}

/** Who the CLI speaks as, to which agent, in which conversation. */
export interface CliSender {
  agentId: string;
  conversationKey: string;
  conversation: ConversationRef;
  workflowId: string;
  from: SessionSender;
  /** The agent's memory scope and per-talker cap, which sending applies. */
  agent: Pick<ResolvedAgent, 'memory' | 'maxSessionsPerTalker' | 'displayName'>;
}

/**
 * The sender for `agentId`: `--as` (or the login name) resolved to a policy user by id or email,
 * who must be one of the agent's talkers. Throws AirlockError with a message saying what to do.
 */
export async function cliSender(
  config: Pick<Config, 'AIRLOCK_POLICY_DIR'>,
  agentId: string,
  values: { as?: string; conversation?: string },
): Promise<CliSender> {
  const { set } = await loadPolicySet(config.AIRLOCK_POLICY_DIR);
  const agent = resolveAgent(set, agentId);
  const login = loginName();
  const user = policyUser(set, values.as ?? login);
  if (!user) {
    throw new AirlockError(
      'agent_unknown_sender',
      values.as
        ? `"${values.as}" is not a user in the policy (${config.AIRLOCK_POLICY_DIR}); nothing was sent.`
        : `your login "${login}" is not a user in the policy; pass --as <policy user id or email> to say who you speak as. Nothing was sent.`,
    );
  }
  if (!mayTalkAs(agent, user.id)) {
    throw new AirlockError(
      'agent_not_talker',
      `${user.id} may not talk to ${agent.id} (its talkers: ${agent.talkers.map((t) => t.id).join(', ') || 'nobody'}); nothing was sent.`,
    );
  }
  const conversationKey = values.conversation ?? cliKey(user.id);
  const via = login === user.id ? '' : ` via ${login}`;
  return {
    agentId: agent.id,
    conversationKey,
    conversation: { platform: 'cli', label: `CLI (${user.id}${via})` },
    workflowId: sessionWorkflowId(agent.id, conversationKey),
    from: { platform: 'cli', userId: login, displayName: user.displayName, policyUserId: user.id },
    agent,
  };
}

/** The session `target` names: a workflow id as given, or an agent's CLI session. */
export async function sessionFor(
  config: Pick<Config, 'AIRLOCK_POLICY_DIR'>,
  target: string,
  values: { as?: string; conversation?: string },
): Promise<string> {
  if (target.startsWith('session:')) return target;
  if (values.conversation) return sessionWorkflowId(target, values.conversation);
  const name = values.as ?? loginName();
  const { set } = await loadPolicySet(config.AIRLOCK_POLICY_DIR);
  return sessionWorkflowId(target, cliKey(policyUser(set, name)?.id ?? name));
}

/** Send `text` as `sender`; returns the session's workflow id. */
export function sendAs(
  client: Client,
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>,
  sender: CliSender,
  text: string,
): Promise<string> {
  const { agentId, conversationKey, conversation, from, agent } = sender;
  return sendToAgent(
    client,
    config,
    { agentId, conversationKey, conversation, agent },
    { messageId: `cli-${randomUUID()}`, from, text, receivedAt: new Date().toISOString() },
  );
}

/**
 * The session's status, or null when there is no such session. A query needs a worker: without
 * one answering within `ms`, throws AirlockError `session_unreachable`.
 */
export async function readStatus(
  client: Client,
  workflowId: string,
  ms = 5_000,
): Promise<SessionStatus | null> {
  return queryWithin(client, workflowId, sessionStatusQuery, {
    ms,
    code: 'session_unreachable',
    passAirlockErrors: true,
  });
}

/**
 * Poll the status every 300 ms until a reply of a turn after `after.turn` (or made after
 * `after.at`) appears, or `ms` pass (then null). Unanswered queries (no worker yet) are waited out
 * like a missing reply.
 */
export async function waitForReply(
  client: Client,
  workflowId: string,
  after: { turn: number } | { at: string },
  ms: number,
): Promise<SessionReply | null> {
  const isNew = (r: SessionReply) => ('turn' in after ? r.turn > after.turn : r.at >= after.at);
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const status = await readStatus(client, workflowId, Math.min(left, 2_000)).catch(() => null);
    const reply = status?.replies.find(isNew);
    if (reply) return reply;
    await new Promise((r) => setTimeout(r, Math.min(300, Math.max(0, deadline - Date.now()))));
  }
}

/** The status as the terminal shows it; agent-controlled text made safe to print. */
export function describeStatus(workflowId: string, s: SessionStatus): string {
  const rows: [string, string][] = [
    ['agent', `${s.agentId} · ${s.conversation.label}`],
    ['state', s.state],
    ['turn', String(s.turn)],
    ['queued', String(s.queued)],
    ['tokens used', String(s.tokensUsed)],
    ['last activity', s.lastActivityAt],
    ['replies kept', `${s.replies.length} (airlock agents replies ${workflowId})`],
    ['pending actions', s.pendingActions.length ? '' : 'none'],
  ];
  const lines = [workflowId, ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(17)}${v}`.trimEnd())];
  for (const p of s.pendingActions)
    lines.push(`    ${p.id}  ${p.summary}  (airlock approvals show ${p.workflowId})`);
  return `${terminalSafe(lines.join('\n'))}\n`;
}
