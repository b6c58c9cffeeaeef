// What the end-to-end agent tests share on top of the stack: the session id of an agent in the
// Playground's group chat, waiting (bounded) for a session's status, and removing the boxes and
// workspaces of the agents a test renamed, so a test leaves no container or volume behind.
import { sessionStatus } from '../../src/agents/sessions.ts';
import { conversationKeyOf } from '../../src/chat/agents/address.ts';
import { removeAgentWorkspace } from '../../src/sandbox/box-cleanup.ts';
import { SandboxDriver } from '../../src/sandbox/driver.ts';
import type { SessionStatus } from '../../workflows/agent-session/messages.ts';
import { GROUP_CHAT, type Stack } from './stack.ts';

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
  for (const id of ids)
    await stack.fx.client.workflow
      .getHandle(id)
      .terminate(why)
      .catch(() => undefined);
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
