// `airlock agents list`: every agent the policy declares (its model, sensitivity, talkers and idle
// timeout) and, when Temporal answers within a few seconds, its running sessions and their states.
// The policy part works without Temporal, so an operator can check a policy before `make up`.
import type { Config } from '../config.ts';
import { hasCode } from '../errors.ts';
import { resolveAgent } from '../policy/agents.ts';
import { loadPolicySet } from '../policy/load.ts';
import { AgentId, SessionState } from '../../workflows/agent-session/search.ts';
import { withConfigClient } from './client.ts';
import { terminalSafe, type CliIo } from './io.ts';

/** Running sessions by agent id: workflow id and state of each. */
type Sessions = Map<string, { workflowId: string; state: string }[]>;

/** Print the policy's agents with their running sessions; 0, or 1 when the policy is invalid. */
export async function listAgents(config: Config, io: CliIo): Promise<number> {
  const { set } = await loadPolicySet(config.AIRLOCK_POLICY_DIR);
  if (set.agents.length === 0) {
    io.stdout(`no agents in ${config.AIRLOCK_POLICY_DIR}\n`);
    return 0;
  }
  const sessions = await runningSessions(config).catch(
    (err: unknown) => `unknown (Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message})`,
  );
  for (const a of set.agents) {
    const lines: string[] = [];
    try {
      const agent = resolveAgent(set, a.id);
      lines.push(
        `${agent.id}  ${agent.displayName}  (${agent.sensitivity})`,
        `  model: ${agent.model.endpoint} ${agent.model.model}`,
        `  talkers: ${agent.talkers.length}  idle timeout: ${minutes(agent.idleTimeoutMs)}`,
      );
    } catch (err) {
      if (!hasCode(err, 'agent_no_model')) throw err;
      lines.push(
        `${a.id}  ${a.displayName ?? a.id}  (${a.sensitivity})`,
        '  model: none (cannot run)',
      );
    }
    if (typeof sessions === 'string') lines.push(`  sessions: ${sessions}`);
    else {
      const mine = sessions.get(a.id) ?? [];
      lines.push(`  sessions: ${mine.length} running`);
      for (const s of mine) lines.push(`    ${s.workflowId}  ${s.state}`);
    }
    io.stdout(`${terminalSafe(lines.join('\n'))}\n`);
  }
  return 0;
}

const minutes = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;

async function runningSessions(config: Config): Promise<Sessions> {
  return withConfigClient(
    config,
    async (client) => {
      const out: Sessions = new Map();
      const query = 'WorkflowType = "agentSessionWorkflow" AND ExecutionStatus = "Running"';
      for await (const w of client.workflow.list({ query })) {
        const agent = w.typedSearchAttributes.get(AgentId) ?? '?';
        const list = out.get(agent) ?? [];
        list.push({
          workflowId: w.workflowId,
          state: w.typedSearchAttributes.get(SessionState) ?? '?',
        });
        out.set(agent, list);
      }
      return out;
    },
    { connectTimeoutMs: 3_000 },
  );
}
