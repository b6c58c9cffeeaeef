// Activities of agentSessionWorkflow. A turn ensures the session's gateway (in this process) and
// sandbox (created, or found again by its labels and started), hands the turn's items to the
// runner in the box through the gateway inbox, and heartbeats until the runner reports the turn
// done. A box that dies mid-turn, or a lost worker, fails the attempt; the retry finds or recreates
// the box, whose workspace volume kept the conversation, and the runner either finishes the turn
// or, if it had finished it, reports the saved reply without calling the model again. Either way
// the reply posted is the model's answer as the gateway saw it (src/agents/turn-answers.ts).
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type Docker from 'dockerode';
import type { GatewayRegistry } from '../src/agents/gateways.ts';
import type { TurnAnswers } from '../src/agents/turn-answers.ts';
import type { ConversationPoster } from '../src/agents/poster.ts';
import type { Config } from '../src/config.ts';
import { AirlockError } from '../src/errors.ts';
import type { AuditStore } from '../src/audit/log.ts';
import type { Logger } from '../src/log.ts';
import type { McpHub } from '../src/mcp/types.ts';
import { resolveAgent } from '../src/policy/agents.ts';
import type { LoadedPolicy } from '../src/policy/types.ts';
import { ensureAgentBox, removeAgentBox, stopAgentBox } from '../src/sandbox/agent-box.ts';
import { removeSessionWorkspace } from '../src/sandbox/box-cleanup.ts';
import type {
  AgentSessionActivities,
  SessionRef,
  TurnInput,
} from '../workflows/agent-session/types.ts';
import { lookupsSent, turnRequests, type LookupChains } from './session-requests.ts';

/** Dependencies of the session activities. */
export interface AgentSessionDeps {
  docker: Docker;
  config: Pick<Config, 'AIRLOCK_SANDBOX_IMAGE' | 'TEMPORAL_ADDRESS'>;
  policy: () => Promise<LoadedPolicy>;
  gateways: GatewayRegistry;
  /** The Temporal client the gateway's action requests go through (as workflow updates). */
  client: () => Promise<Client>;
  poster: ConversationPoster;
  logger: Logger;
  /** This worker's host when it also polls its host task queue (workers/main.ts); else unset. */
  hostId?: string;
  /** The worker's audit store and MCP hub: allowed MCP calls run on the fast path with both. */
  audit?: AuditStore;
  mcp?: McpHub;
  /** Bytes of an MCP result kept (as the workflow path keeps); default 16 KiB. */
  maxResultBytes?: number;
}

/** How often a waiting turn heartbeats and checks that its box still runs. */
const watchEveryMs = 2_000;

/** The runner's turn id: unique per session run chain, so a restarted session never matches. */
export const turnId = (input: Pick<TurnInput, 'workflowId' | 'turn'>, run: string): string =>
  `${run.slice(0, 8)}.${input.turn}`;

/** Build the session activities. */
export function createAgentSessionActivities(deps: AgentSessionDeps): AgentSessionActivities {
  const { docker, gateways, poster } = deps;
  // The lookup signals of fast-path MCP calls still on their way, per session.
  const lookups: LookupChains = new Map();

  // The box is labelled with the session's server and namespace, so a worker of another server
  // or namespace on the same Docker host never takes it for an orphan.
  const boxRef = (ref: SessionRef) => ({
    ...ref,
    namespace: Context.current().info.workflowNamespace,
    temporal: deps.config.TEMPORAL_ADDRESS,
  });
  const boxSpec = async (ref: SessionRef) => {
    const agent = resolveAgent((await deps.policy()).set, ref.agentId);
    return {
      agent,
      spec: {
        ...boxRef(ref),
        limits: agent.limits,
        socketDir: gateways.socketDir(ref.sessionId),
        // An image the policy names is another harness; without one, the base image's runner.
        image: agent.image ?? deps.config.AIRLOCK_SANDBOX_IMAGE,
        harness: agent.image !== undefined,
        // The session's own workspace, its talker's, or the agent's: the policy's memory scope.
        memory: { scope: agent.memory, ...(ref.talker ? { talker: ref.talker } : {}) },
      },
    };
  };

  return {
    async runAgentTurn(input) {
      const ctx = Context.current();
      const log = deps.logger.child({
        session: input.workflowId,
        turn: input.turn,
        attempt: ctx.info.attempt,
      });
      const runId = ctx.info.workflowExecution?.runId ?? '';
      const turn = turnId(input, runId);
      const { agent, spec } = await boxSpec(input);
      const session = await gateways.ensure(input.sessionId, agent, input.tokensUsed);
      session.bind({
        ...turnRequests(deps, input, turn, runId, lookups),
        sendMessage: async ({ text, turn: t, seq }) => {
          // Only a message the model asked for in this turn (a send_message call the gateway
          // relayed) reaches the person; anything else in the box may post to the socket too.
          if (t === null || !(await session.answers.asked(t, text))) {
            log.warn(
              { chars: text.length },
              'progress message refused: the model did not ask for it',
            );
            throw new AirlockError(
              'message_not_from_model',
              'only a message the model asked to send in this turn is delivered',
            );
          }
          await poster.post(
            input.conversation,
            `${input.workflowId}:${input.turn}:p${seq}:${t}`,
            text,
          );
        },
      });
      const box = await ensureAgentBox(docker, spec);
      log.info({ created: box.created, items: input.items.length }, 'turn started');
      void poster.typing(input.conversation);
      const report = session.inbox.startTurn(turn, input.items);
      // Observed at once, so an abandoned turn is never an unhandled rejection.
      const outcome = report.then(
        (r) => ({ ok: true as const, reply: r.reply }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      for (let ticks = 1; ; ticks++) {
        const done = await Promise.race([outcome, sleep(watchEveryMs).then(() => null)]);
        if (done?.ok) {
          log.info({ tokens: session.gateway.tokensUsed }, 'turn done');
          // The turn's lookups reach the session while the turn still runs there.
          await lookupsSent(lookups, input.workflowId);
          const reply = await seenReply(session.answers, turn, done.reply, agent.displayName, log);
          // Posted here, keyed by turn (a retried turn posts nothing new): the reply reaches the
          // chat without another workflow task and activity in between.
          const posted = Boolean(input.postReply && reply);
          if (posted)
            await poster.post(input.conversation, `${input.workflowId}:${input.turn}`, reply);
          return {
            reply,
            tokensUsed: session.gateway.tokensUsed,
            boxCreated: box.created,
            idleTimeoutMs: agent.idleTimeoutMs,
            posted,
            host: deps.hostId ?? null,
          };
        }
        if (done) throw done.err;
        ctx.heartbeat({ turn: input.turn });
        if (ctx.cancellationSignal.aborted) {
          session.inbox.abandon(turn, new Error('the turn was cancelled'));
          throw ctx.cancellationSignal.reason;
        }
        if (ticks % 2 === 0) void poster.typing(input.conversation);
        const running = await docker
          .getContainer(box.containerId)
          .inspect()
          .then((i) => i.State.Running)
          .catch(() => false);
        if (!running) {
          const err = new AirlockError(
            'sandbox_stopped_mid_turn',
            `the sandbox of ${input.sessionId} stopped during turn ${input.turn}; the turn is retried`,
          );
          session.inbox.abandon(turn, err);
          log.warn('sandbox stopped mid-turn');
          throw err;
        }
      }
    },

    async stopAgentSandbox(ref) {
      await gateways.close(ref.sessionId);
      await stopAgentBox(docker, boxRef(ref));
      deps.logger.info({ session: ref.workflowId }, 'sandbox stopped (idle)');
    },

    async removeAgentSandbox(ref) {
      await gateways.close(ref.sessionId);
      await removeAgentBox(docker, boxRef(ref));
      // The session is over, and with it its own memory (a talker's or the agent's stays) and the
      // record of what its model answered.
      await removeSessionWorkspace(docker, boxRef(ref));
      await rm(gateways.answersFile(ref.sessionId), { force: true });
      deps.logger.info({ session: ref.workflowId }, 'sandbox removed (session closed)');
    },

    async postSessionReply({ conversation, key, text }) {
      await poster.post(conversation, key, text);
    },
  };
}

/**
 * The turn's reply: the last answer the model gave in the turn, as the gateway relayed it. What the
 * runner reported is only compared: a box can write its saved conversation (and a planted saved
 * reply) and make any report, but not what the gateway saw. A turn whose last model call gave no
 * answer (refused, failed, or never made) gets a line saying so.
 */
async function seenReply(
  answers: TurnAnswers,
  turn: string,
  reported: string,
  agentName: string,
  log: Logger,
): Promise<string> {
  const seen = await answers.get(turn);
  const reply = seen?.text?.trim() ?? '';
  if (reported.trim() !== reply)
    log.warn(
      { reported: reported.length, seen: seen?.text?.length ?? null },
      "the runner's reply is not the model's answer the gateway saw; the gateway's is used",
    );
  if (seen?.text === null || seen === undefined)
    return `${agentName} could not finish this: the model gave no answer in this turn.`;
  return reply;
}
