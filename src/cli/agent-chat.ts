// `airlock agents chat`: an interactive terminal session with an agent. Each line typed is sent like
// a chat message; a poller reads the status query every 300 ms and prints replies of turns it has
// not shown yet. `/status` prints the session, `/quit` or end of input ends it; at end of piped
// input it first waits (bounded) for the turn that answers the last line sent.
import type { Config } from '../config.ts';
import type { SessionStatus } from '../../workflows/agent-session/messages.ts';
import { cliSender, describeStatus, readStatus, sendAs } from './agent-session.ts';
import { withConfigClient } from './client.ts';
import { terminalSafe, type CliIo } from './io.ts';

const pollMs = 300;
/** How long end of input waits for the turn that answers the last line. */
const drainMs = 120_000;

/** Run a chat with `agentId` on `io` until /quit or end of input; returns the exit code. */
export async function agentChat(
  config: Config,
  io: CliIo,
  agentId: string,
  values: { as?: string; conversation?: string },
): Promise<number> {
  const sender = await cliSender(config, agentId, values);
  const { workflowId } = sender;
  return withConfigClient(config, async (client) => {
    const read = (ms: number) => readStatus(client, workflowId, ms).catch(() => null);
    let latest: SessionStatus | null = await read(5_000);
    // Replies already kept are history; without a first status (no worker yet), so is anything
    // made before this chat started.
    let shownTurn = latest?.turn ?? 0;
    const historyBefore = latest ? '' : new Date().toISOString();
    // The turn the session had reached when the last line was sent; its answer comes after it.
    let sentAfter: number | null = null;
    let stopped = false;
    io.stdout(
      `Talking to ${agentId} as ${sender.from.displayName} in ${workflowId}. /status shows the session, /quit ends.\n`,
    );
    const poll = async () => {
      while (!stopped) {
        const status = await read(2_000);
        if (status) {
          latest = status;
          for (const r of status.replies) {
            if (r.turn <= shownTurn || r.at < historyBefore) continue;
            io.stdout(`${agentId}: ${terminalSafe(r.text)}\n`);
            shownTurn = r.turn;
          }
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    };
    const poller = poll();
    let quit = false;
    try {
      for await (const raw of io.lines ? io.lines() : (await io.stdin()).split('\n')) {
        const line = raw.trim();
        if (!line) continue;
        if (line === '/quit') {
          quit = true;
          break;
        }
        if (line === '/status') {
          const status = (await read(5_000)) ?? latest;
          io.stdout(status ? describeStatus(workflowId, status) : `${workflowId}: no status yet\n`);
          continue;
        }
        sentAfter = latest?.turn ?? shownTurn;
        await sendAs(client, config, sender, line);
      }
      if (!quit && sentAfter !== null)
        await answered(
          () => latest,
          sentAfter,
          () => shownTurn,
        );
    } finally {
      stopped = true;
      await poller;
    }
    return 0;
  });
}

/** Wait (bounded) until a turn after `after` has run and its reply, if any, was shown. */
async function answered(
  latest: () => SessionStatus | null,
  after: number,
  shownTurn: () => number,
): Promise<void> {
  const deadline = Date.now() + drainMs;
  while (Date.now() < deadline) {
    const s = latest();
    const ran = s && s.turn > after && s.state !== 'working' && s.queued === 0;
    if (ran && (shownTurn() >= s.turn || !s.replies.some((r) => r.turn > shownTurn()))) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
