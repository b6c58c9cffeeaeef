// `airlock agents …`: what operators do with agents from a terminal. See the agents the policy
// declares and their running sessions, talk to one as a policy user who may talk to it (a message
// goes through sendToAgent, like a chat message), and read or close a session.
import { parseArgs } from 'node:util';
import { loadConfig, processEnv, type Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import { closeSessionSignal } from '../../workflows/agent-session/messages.ts';
import { agentChat } from './agent-chat.ts';
import { listAgents } from './agent-list.ts';
import {
  cliSender,
  describeStatus,
  loginName,
  readStatus,
  sendAs,
  sessionFor,
  waitForReply,
} from './agent-session.ts';
import { withConfigClient as withClient } from './client.ts';
import type { CliIo } from './io.ts';

type Env = Record<string, string | undefined>;

/** Usage of `airlock agents`. */
export const usage = `usage:
  airlock agents list               the policy's agents and their running sessions
  airlock agents send <agent> "<text>" [--as USER] [--conversation KEY] [--wait [SECONDS]]
                                    send a message as a policy user who may talk to the agent;
                                    --wait prints its reply (default 120 s)
  airlock agents chat <agent> [--as USER] [--conversation KEY]
                                    talk to the agent in this terminal (/status, /quit)
  airlock agents status <workflow-id | agent [--as USER] [--conversation KEY]>
                                    state, turn, queue, pending actions, tokens, last activity
  airlock agents replies <workflow-id> [--turn N]
                                    the replies a session keeps (its last 20), whole
  airlock agents close <workflow-id>
                                    close the session; the sandbox goes, the workspace stays
USER is a policy user id or email (default: your login name); the conversation defaults to
cli-<USER>, so each operator has one session per agent.
`;

const options = {
  as: { type: 'string' },
  conversation: { type: 'string' },
  wait: { type: 'boolean' },
  turn: { type: 'string' },
} as const;

/** Run `airlock agents <command> …`; exit 0 ok, 1 refused or failed, 2 usage. */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  try {
    const { wait, args: parsed } = takeWait(rest);
    const { values, positionals } = parseArgs({
      args: parsed,
      options,
      allowPositionals: true,
    });
    const config = loadConfig(env);
    const [first, second] = positionals;
    if (command === 'list' && !first) return await listAgents(config, io);
    if (command === 'send' && first && second !== undefined && positionals.length === 2)
      return await send(config, io, first, second, values, wait);
    if (command === 'chat' && first && !second) return await agentChat(config, io, first, values);
    if (command === 'status' && first && !second) return await status(config, io, first, values);
    if (command === 'replies' && first && !second) return await replies(config, io, first, values);
    if (command === 'close' && first && !second) return await close(config, io, first);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      io.stderr(`airlock agents: ${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    if ((err as Error).name === 'AirlockError') {
      io.stderr(`airlock agents: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  io.stderr(`${command ? `airlock agents: bad command "${args.join(' ')}"\n\n` : ''}${usage}`);
  return 2;
}

/** `--wait [seconds]`: parseArgs has no optional values, so the number is taken here. */
function takeWait(args: string[]): { wait: number | null; args: string[] } {
  const at = args.indexOf('--wait');
  if (at < 0) return { wait: null, args };
  const next = args[at + 1];
  const given = next !== undefined && /^\d+(\.\d+)?$/.test(next);
  const out = [...args];
  out.splice(at, given ? 2 : 1);
  return { wait: given ? Number(next) : 120, args: out };
}

type Values = { as?: string; conversation?: string; turn?: string };

async function send(
  config: Config,
  io: CliIo,
  agentId: string,
  text: string,
  values: Values,
  wait: number | null,
): Promise<number> {
  if (!text.trim()) throw new AirlockError('agent_empty_message', 'the message is empty');
  const sender = await cliSender(config, agentId, values);
  return withClient(config, async (client) => {
    // The reply is of a turn after the one the session had reached; a session that cannot say
    // (no worker yet) is answered by a reply made after sending.
    const sentAt = new Date().toISOString();
    const before =
      wait === null
        ? null
        : await readStatus(client, sender.workflowId).then(
            (s) => ({ turn: s?.turn ?? 0 }),
            () => ({ at: sentAt }),
          );
    const workflowId = await sendAs(client, config, sender, text);
    io.stdout(`${workflowId}\n`);
    if (wait === null || before === null) return 0;
    const reply = await waitForReply(client, workflowId, before, wait * 1000);
    if (!reply) {
      io.stderr(
        `airlock agents: no reply within ${wait} s; the message is queued in ${workflowId} (airlock agents status ${workflowId})\n`,
      );
      return 1;
    }
    io.stdout(`${reply.text}\n`);
    return 0;
  });
}

async function status(config: Config, io: CliIo, target: string, values: Values) {
  const workflowId = await sessionFor(config, target, values);
  return withClient(config, async (client) => {
    const s = await readStatus(client, workflowId, 10_000);
    if (!s) throw new AirlockError('session_unknown', `no session ${workflowId}`);
    io.stdout(describeStatus(workflowId, s));
    return 0;
  });
}

async function replies(config: Config, io: CliIo, workflowId: string, values: Values) {
  const turn = values.turn === undefined ? null : Number(values.turn);
  if (turn !== null && !Number.isInteger(turn))
    throw new AirlockError('agent_bad_turn', `--turn must be a turn number`);
  return withClient(config, async (client) => {
    const s = await readStatus(client, workflowId, 10_000);
    if (!s) throw new AirlockError('session_unknown', `no session ${workflowId}`);
    const shown = s.replies.filter((r) => turn === null || r.turn === turn);
    if (shown.length === 0) {
      io.stderr(
        turn === null
          ? `airlock agents: ${workflowId} has no replies yet\n`
          : `airlock agents: no reply of turn ${turn} is kept (the last 20 replies are)\n`,
      );
      return 1;
    }
    for (const r of shown) io.stdout(`--- turn ${r.turn}, ${r.at}\n${r.text}\n`);
    return 0;
  });
}

async function close(config: Config, io: CliIo, workflowId: string) {
  return withClient(config, async (client) => {
    try {
      await client.workflow
        .getHandle(workflowId)
        .signal(closeSessionSignal, { by: `cli:${loginName()}` });
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
      throw new AirlockError('session_unknown', `no running session ${workflowId}`);
    }
    io.stdout(`closing ${workflowId}\n`);
    return 0;
  });
}
