// Shared setup of the agent benchmarks (agent-turn, agent-cold, agent-scale): the session test
// fixture (demo policy, vault with the model key, the scripted stand-in model), a GatewayRegistry
// and agent boxes driven directly (no Temporal), the direct model call used as the baseline, and
// a cleanup that removes every box, the workspace volume and the gateways even after a failure.
import { randomBytes } from 'node:crypto';
import { GatewayRegistry, type SessionGateway } from '../src/agents/gateways.ts';
import { createLogger } from '../src/log.ts';
import { resolveAgent, type ResolvedAgent } from '../src/policy/agents.ts';
import { currentPolicy } from '../src/policy/current.ts';
import { ensureAgentBox, type AgentBoxSpec } from '../src/sandbox/agent-box.ts';
import { openVault } from '../src/vault/open.ts';
import type { ScriptStep } from '../src/dev/model-standin.ts';
import { CANARY, sessionFixture, type SessionFixture } from '../test/helpers/sessions.ts';

/** The one-step text reply every measured turn gets. */
export const REPLY = 'Hello Riley, your parcel A-1001 left the depot this morning.';

/** A stand-in script answering every user message with REPLY, as often as asked. */
export const replyScript: ScriptStep[] = [
  { name: 'reply', reusable: true, text: REPLY, usage: { prompt: 50, completion: 12 } },
];

/** What the agent benches work with. */
export interface AgentBench {
  fx: SessionFixture;
  agent: ResolvedAgent;
  registry: GatewayRegistry;
  /** A box spec for session `sessionId` of the bench agent. */
  spec(sessionId: string): AgentBoxSpec;
  /** Open the session's gateway and ensure its box. */
  open(sessionId: string): Promise<{ session: SessionGateway; containerId: string }>;
  /** One turn through the session's inbox; resolves when the runner reports it done. */
  turn(session: SessionGateway, text: string): Promise<string>;
  /** The last chat-completions request the stand-in received, sent again straight from here. */
  directCall(): Promise<void>;
  close(): Promise<void>;
}

/** Build the bench setup; `script` replaces the stand-in's script. */
export async function agentBench(script: ScriptStep[] = replyScript): Promise<AgentBench> {
  const fx = await sessionFixture(script);
  try {
    const logger = createLogger({ level: 'warn' });
    const agent = resolveAgent(
      (await currentPolicy(fx.config.AIRLOCK_POLICY_DIR)()).set,
      fx.support,
    );
    const registry = new GatewayRegistry(fx.config, openVault(fx.config), logger);
    const run = randomBytes(4).toString('hex');
    let turns = 0;
    const spec = (sessionId: string): AgentBoxSpec => ({
      agentId: agent.id,
      sessionId,
      workflowId: `bench-${run}-${sessionId}`,
      namespace: 'airlock-bench',
      limits: agent.limits,
      socketDir: registry.socketDir(sessionId),
      image: fx.config.AIRLOCK_SANDBOX_IMAGE,
    });
    return {
      fx,
      agent,
      registry,
      spec,
      async open(sessionId) {
        const session = await registry.ensure(sessionId, agent, 0);
        const box = await ensureAgentBox(fx.driver.docker, spec(sessionId));
        return { session, containerId: box.containerId };
      },
      async turn(session, text) {
        turns += 1;
        const report = await session.inbox.startTurn(`${run}.${turns}`, [
          {
            kind: 'message',
            message: { text, from: { displayName: 'Riley Requester' } },
          },
        ]);
        if (report.reply !== REPLY) throw new Error(`unexpected reply ${report.reply}`);
        return report.reply;
      },
      async directCall() {
        const last = fx.model.requests.at(-1);
        if (!last?.body) throw new Error('the stand-in has seen no request yet');
        const res = await fetch(`${fx.model.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${CANARY}` },
          body: JSON.stringify(last.body),
        });
        const answer = (await res.json()) as { choices?: { message?: { content?: string } }[] };
        if (answer.choices?.[0]?.message?.content !== REPLY)
          throw new Error(`direct call answered ${JSON.stringify(answer)}`);
      },
      async close() {
        await registry.closeAll().catch(() => undefined);
        await fx.close(); // removes every box of the agent and its workspace volume
      },
    };
  } catch (err) {
    await fx.close();
    throw err;
  }
}

/** Memory a container uses now, in MiB: usage minus the page cache (as `docker stats` shows). */
export async function boxMemoryMiB(bench: AgentBench, containerId: string): Promise<number> {
  const stats = (await bench.fx.driver.docker.getContainer(containerId).stats({
    stream: false,
  })) as { memory_stats: { usage?: number; stats?: Record<string, number> } };
  const m = stats.memory_stats;
  const cache =
    m.stats?.['inactive_file'] ?? m.stats?.['total_inactive_file'] ?? m.stats?.['cache'] ?? 0;
  return ((m.usage ?? 0) - cache) / 2 ** 20;
}

/** p50 / p95 / p99 / max of `values` as table cells. */
export { machine, ms, percentile, timeMs } from './stats.ts';
