// The gateway's requests of a running turn. An MCP tool call a rule allows at once runs on the
// fast path here (src/agents/mcp-fast.ts: decided, claimed, called and audited in this process)
// and the session hears of it by the agentLookup signal, so the call shows in its history and the
// turn's later requests carry it to the card; a request that goes the workflow path waits for the
// session's signals still on their way, so its update never overtakes a lookup. Every other action
// is an update of the session workflow (it starts the child approval and answers at once, or after
// a short hold), as is a question to another agent (it starts the exchange). Only the running turn
// may ask. A tool call the gateway's `/mcp` refuses is audited here as `denied`.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, UpdateDefinition } from '@temporalio/client';
import { requestHash } from '../src/actions/request-hash.ts';
import { agentReason } from '../src/agents/agent-text.ts';
import { fastMcpCall, type McpFastDeps } from '../src/agents/mcp-fast.ts';
import type { AuditStore } from '../src/audit/log.ts';
import type {
  ActionOutcome,
  ActionRequest,
  AskOutcome,
  AskRequest,
  McpRefusal,
} from '../src/gateway/types.ts';
import type { Logger } from '../src/log.ts';
import type { McpHub } from '../src/mcp/types.ts';
import type { LoadedPolicy } from '../src/policy/types.ts';
import {
  agentActionUpdate,
  agentAskUpdate,
  agentLookupSignal,
  type AgentActionAsk,
} from '../workflows/agent-session/messages.ts';
import { sessionRequest } from '../workflows/agent-session/request.ts';
import type { TurnInput } from '../workflows/agent-session/types.ts';
import { mcpCapabilityPrefix, mcpCallOf } from '../workflows/sensitive-action/mcp-call.ts';

/** What the turn's requests need from the worker. */
export interface TurnRequestDeps {
  policy: () => Promise<LoadedPolicy>;
  /** The Temporal client the updates and the lookup signal go through. */
  client: () => Promise<Client>;
  logger: Logger;
  /** The worker's audit store and hub: without both, every action goes the workflow path. */
  audit?: AuditStore;
  mcp?: McpHub;
  maxResultBytes?: number;
}

/** The lookup signals still on their way, by session workflow id (one chain per session). */
export type LookupChains = Map<string, Promise<void>>;

/** The longest a request or a turn's end waits for the session's lookup signals. */
const lookupWaitMs = 10_000;

/**
 * Wait until the lookups sent for session `workflowId` have reached it (or failed, logged), at
 * most `lookupWaitMs`: a Temporal server that does not answer delays a request, never stalls it.
 */
export async function lookupsSent(chains: LookupChains, workflowId: string): Promise<void> {
  const chain = chains.get(workflowId);
  if (!chain) return;
  const bound = new AbortController();
  const late = sleep(lookupWaitMs, undefined, { signal: bound.signal }).catch(() => undefined);
  await Promise.race([chain, late]);
  bound.abort();
}

/**
 * The hooks of turn `input` (`turn`: the runner's turn id) of run `runId`: requestAction,
 * askAgent and onMcpRefused.
 */
export function turnRequests(
  deps: TurnRequestDeps,
  input: TurnInput,
  turn: string,
  runId: string,
  chains: LookupChains,
) {
  const log = deps.logger.child({ session: input.workflowId, turn: input.turn });
  // The update's answer; null, without asking, when the request is not the running turn's.
  const update = async <Ret, Arg>(
    asked: string | null,
    def: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
  ): Promise<Ret | null> => {
    if (asked !== turn) return null;
    const client = await deps.client();
    return client.workflow.getHandle(input.workflowId).executeUpdate(def, { args: [arg] });
  };
  const fast = fastPath(deps, input, turn, runId, chains, log);
  return {
    async requestAction(request: ActionRequest): Promise<ActionOutcome> {
      if (request.turn !== turn)
        return { status: 'denied', reason: 'actions can only be asked for during a running turn' };
      const ask: AgentActionAsk = {
        turn: input.turn,
        capability: request.capability,
        method: request.method,
        path: request.path,
        ...(request.body === undefined ? {} : { body: request.body }),
        purpose: request.purpose,
      };
      const quick = fast && mcpCallOf(ask) ? await fast(ask) : null;
      if (quick) return quick;
      // A lookup still on its way lands first: this request's card carries it. (A fast call
      // needs none: it shows no card, and the chain keeps the lookups in order.)
      await lookupsSent(chains, input.workflowId);
      const answer = await update(request.turn, agentActionUpdate, ask);
      if (!answer)
        return { status: 'denied', reason: 'actions can only be asked for during a running turn' };
      if (answer.status === 'executed') return { status: 'executed', result: answer.result };
      if (answer.status === 'pending') return { status: 'pending', id: answer.id };
      return { status: 'denied', reason: answer.reason };
    },
    async askAgent(request: AskRequest): Promise<AskOutcome> {
      const answer = await update(request.turn, agentAskUpdate, {
        turn: input.turn,
        to: request.to,
        question: request.question,
      });
      if (!answer)
        return { status: 'refused', reason: 'questions can only be asked during a running turn' };
      return answer.status === 'pending'
        ? { status: 'pending', id: answer.id }
        : { status: 'refused', reason: answer.reason };
    },
    async onMcpRefused(refusal: McpRefusal): Promise<void> {
      if (!deps.audit) return;
      const policy = await deps.policy().catch(() => null);
      const request = {
        agent: refusal.agentId,
        capability: `${mcpCapabilityPrefix}${refusal.server ?? '(none)'}`,
        method: 'POST',
        path: `/${refusal.tool ?? refusal.name}`,
        body: refusal.arguments,
      };
      await deps.audit.append({
        id: `mcp-refused:${input.workflowId}:${turn}:${randomUUID()}`,
        type: 'denied',
        at: new Date().toISOString(),
        workflowId: input.workflowId,
        agent: request.agent,
        capability: request.capability,
        requestHash: requestHash(request),
        policyRule: null,
        policyHash: policy?.hash ?? '',
        detail: {
          reason: refusal.reason,
          method: request.method,
          path: request.path,
          tool: refusal.name,
          refusedBy: 'gateway',
        },
      });
    },
  };
}

/**
 * The fast path of turn `input`: an MCP call a rule allows at once, executed here, or null when it
 * goes the workflow path; null in all when the worker has no audit store or hub, or the turn was
 * scheduled without its asker (before the fast path existed).
 */
function fastPath(
  deps: TurnRequestDeps,
  input: TurnInput,
  turn: string,
  runId: string,
  chains: LookupChains,
  log: Logger,
): ((ask: AgentActionAsk) => Promise<ActionOutcome | null>) | null {
  const { audit, mcp, asker } = { audit: deps.audit, mcp: deps.mcp, asker: input.asker };
  if (!audit || !mcp || !asker) return null;
  const fastDeps: McpFastDeps = {
    policy: deps.policy,
    audit,
    mcp,
    ...(deps.maxResultBytes === undefined ? {} : { maxResultBytes: deps.maxResultBytes }),
  };
  // How often each request was asked in this turn: the same call asked twice is two calls, and a
  // turn delivered again asks its calls under the same ids, which the ledger holds.
  const asked = new Map<string, number>();
  return async (ask) => {
    const request = sessionRequest(input, input.conversation, ask, asker, []);
    const hash = requestHash(request);
    const n = (asked.get(hash) ?? 0) + 1;
    asked.set(hash, n);
    const callId = `mcp:${input.workflowId}:${turn}:${hash.slice(0, 16)}.${n}`;
    const done = await fastMcpCall(fastDeps, request, {
      callId,
      sessionWorkflowId: input.workflowId,
      runId,
    });
    if (done.path === 'workflow') return null;
    if (done.path === 'refused') return { status: 'denied', reason: done.reason };
    const recorded = done.recorded.catch((err: unknown) =>
      log.error({ err }, "the fast call's outcome could not be audited"),
    );
    log.info(
      { capability: ask.capability, path: ask.path, status: done.result.status },
      'tool called',
    );
    if (done.result.status >= 400) {
      chain(chains, input.workflowId, recorded);
      // Worded as the workflow path answers a failed call; its reason may quote the server.
      return { status: 'denied', reason: agentReason(`failed: ${done.outcome}`, 'strict') };
    }
    const lookup = {
      turn: ask.turn,
      capability: ask.capability,
      path: ask.path,
      ...(ask.body === undefined ? {} : { body: ask.body }),
      result: done.result,
    };
    // Sent in order behind the session's earlier lookups and after the call's audit record; the
    // agent waits for neither, the turn's end and the next workflow-path request wait for both.
    const before = chains.get(input.workflowId) ?? Promise.resolve();
    const sent = Promise.all([before, recorded])
      .then(async () => {
        const client = await deps.client();
        await client.workflow.getHandle(input.workflowId).signal(agentLookupSignal, lookup);
      })
      .catch((err: unknown) => log.warn({ err }, 'lookup not sent to the session'));
    chain(chains, input.workflowId, sent);
    return { status: 'executed', result: done.result };
  };
}

/** Put `work` at the end of the session's chain (what the turn's end waits for). */
function chain(chains: LookupChains, workflowId: string, work: Promise<unknown>): void {
  const before = chains.get(workflowId) ?? Promise.resolve();
  const last = Promise.all([before, work]).then(() => undefined);
  chains.set(workflowId, last);
  void last.then(() => {
    if (chains.get(workflowId) === last) chains.delete(workflowId);
  });
}
