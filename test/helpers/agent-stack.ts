// What the end-to-end agent tests share on top of the stack: the stack with the demo agents renamed
// for one run and a chat worker in this process (`startAgentChat`, ended by `closeAgentChat`), the
// session id of an agent in the Playground's group chat, waiting (bounded) for a session's status,
// and removing the boxes and workspaces of the renamed agents, so a test leaves nothing behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sessionStatus } from '../../src/agents/sessions.ts';
import { conversationKeyOf } from '../../src/chat/agents/address.ts';
import type { ApprovalBot } from '../../src/chat/bot.ts';
import type { PlaygroundEvent } from '../../src/dev/playground-client.ts';
import { sendTeamsMessage } from '../../src/dev/playground-message.ts';
import { removeAgentWorkspace } from '../../src/sandbox/box-cleanup.ts';
import { SandboxDriver } from '../../src/sandbox/driver.ts';
import type { SessionStatus } from '../../workflows/agent-session/messages.ts';
import { putAgentKeys } from './sessions.ts';
import { buttons, GROUP_CHAT, startChatWorker, startStack, type Stack } from './stack.ts';
import { terminateRuns } from './temporal.ts';

/** Riley, who talks to the agents in the Playground's group chat. */
export const riley = {
  id: 'user-riley',
  name: 'Riley Requester',
  aadObjectId: '00000000-0000-0000-0000-0000000000cc',
};

/** This run's ids for the demo's support and research agents (each run its own workspaces). */
export function agentIds(suffix = randomBytes(4).toString('hex')) {
  return { suffix, support: `support-${suffix}`, research: `research-${suffix}` };
}

/** A stack whose agents talk through a chat worker in this process. */
export interface AgentChat {
  stack: Stack;
  bot: ApprovalBot;
  stopWorker(): Promise<void>;
}

/**
 * The stack with the demo agents renamed to `ids` and their model at `modelUrl` (then
 * `policyEdit`), the vault keys of `keyAgents`, and a chat worker; on a failed start what started
 * is closed again.
 */
export async function startAgentChat(
  ids: { support: string; research: string },
  modelUrl: string,
  keyAgents: string[],
  policyEdit: (yaml: string) => string = (y) => y,
): Promise<AgentChat> {
  const stack = await startStack((yaml) =>
    policyEdit(
      yaml
        .replaceAll('support-bot', ids.support)
        .replaceAll('research-bot', ids.research)
        .replaceAll('http://127.0.0.1:4011/v1', modelUrl),
    ),
  );
  try {
    await putAgentKeys(stack.config, ids.support, keyAgents);
    const chat = await startChatWorker(stack.config, stack.fx.client);
    return { stack, bot: chat.bot, stopWorker: chat.stop };
  } catch (err) {
    await stack.close().catch(() => undefined);
    throw err;
  }
}

/**
 * End an agent test: terminate the runs `runs` names (sessions and their approvals first, so the
 * worker starts nothing new while it drains), stop the worker, remove the agents' boxes, shut the
 * bot down and close the stack. Every step runs even when one before it failed.
 */
export async function closeAgentChat(
  chat: AgentChat | undefined,
  ids: { support: string; research: string },
  runs: (stack: Stack) => Promise<string[]>,
  why: string,
): Promise<void> {
  if (chat) await terminateAll(chat.stack, await runs(chat.stack).catch(() => []), why);
  await chat?.stopWorker().catch(() => undefined);
  await removeAgentBoxes(chat?.stack.config.DOCKER_HOST, [ids.support, ids.research]);
  await chat?.bot.chat.shutdown().catch(() => undefined);
  await chat?.stack.close().catch(() => undefined);
}

/** Session `id` and the approvals it waits on (for `closeAgentChat`). */
export async function sessionRuns(stack: Stack, id: string): Promise<string[]> {
  const status = await sessionStatus(stack.fx.client, id).catch(() => null);
  return [id, ...(status?.pendingActions.map((p) => p.workflowId) ?? [])];
}

/** The session workflow id of `agentId` in the Playground's group chat. */
export function groupSessionId(stack: Stack, agentId: string): string {
  const threadId = stack.webhook.bot.chat.getAdapter('teams').encodeThreadId({
    conversationId: GROUP_CHAT,
    serviceUrl: `http://localhost:${stack.playground.port}/_connector`,
    conversationType: 'groupChat',
  });
  return `session:${agentId}:${conversationKeyOf('teams', threadId)}`;
}

/** Poll session `id`'s status until `check` holds; fails naming `what` after `ms`. */
export async function statusUntil(
  stack: Stack,
  id: string,
  check: (s: SessionStatus) => boolean,
  what: string,
  ms = 120_000,
): Promise<SessionStatus> {
  const deadline = Date.now() + ms;
  let last: SessionStatus | null = null;
  while (Date.now() < deadline) {
    last = await sessionStatus(stack.fx.client, id).catch(() => null);
    if (last && check(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last status ${JSON.stringify(last)}`);
}

/** Terminate runs `ids` (those already gone are skipped). */
export async function terminateAll(stack: Stack, ids: string[], why: string): Promise<void> {
  await terminateRuns(stack.fx.client, ids, why);
}

/** Remove every box of `agents` and their workspaces (nothing there is fine). */
export async function removeAgentBoxes(dockerHost: string | undefined, agents: string[]) {
  const docker = new SandboxDriver(dockerHost).docker;
  for (const agent of agents) {
    const boxes = await docker
      .listContainers({ all: true, filters: { label: [`airlock.agent=${agent}`] } })
      .catch(() => []);
    for (const b of boxes)
      await docker
        .getContainer(b.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await removeAgentWorkspace(docker, agent).catch(() => undefined);
  }
}

/** Riley says `text` in the Playground's group chat; fails unless the webhook took it (200). */
export async function rileySays(stack: Stack, text: string): Promise<void> {
  const sent = await sendTeamsMessage({
    webhookUrl: stack.webhookUrl,
    playgroundPort: stack.playground.port,
    user: riley,
    conversation: { id: GROUP_CHAT, type: 'groupChat' },
    text,
  });
  assert.equal(sent.status, 200);
}

/** Click the Approve button of `card` (which must have one) in the group chat as `fromId`. */
export async function clickApprove(stack: Stack, card: PlaygroundEvent, fromId: string) {
  const approve = buttons(card).find((b) => b.title === 'Approve');
  assert.ok(approve, 'the card has an Approve button');
  await stack.pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: approve.data,
    fromId,
  });
}
