// Activities of sensitiveActionWorkflow: evaluate the policy (pinning the result in history),
// check the webhook's signature on decisions and grants, post and update approval cards, execute
// through the vault or, for `mcp:<server>`, the MCP hub (once per request id: the execution
// ledger), and append to the audit log.
// Business failures are non-retryable ApplicationFailures typed with the AirlockError code.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { decideRequest } from '../src/actions/decide.ts';
import { executeMcpCall } from '../src/actions/mcp-execute.ts';
import { claimExecution } from '../src/audit/ledger.ts';
import type { ActiveGrant, Grants } from '../src/grants/grants.ts';
import { grantProblem } from '../src/grants/verify.ts';
import type { DecisionChecker } from '../src/receipts/policy.ts';
import type { AuditStore } from '../src/audit/log.ts';
import type { McpHub } from '../src/mcp/types.ts';
import type { LoadedPolicy } from '../src/policy/types.ts';
import { executeWithVault } from '../src/vault/execute.ts';
import type { JsonValue } from '../src/vault/execute.ts';
import type { CredentialStore } from '../src/vault/types.ts';
import type { ApprovalDecision } from '../workflows/sensitive-action/messages.ts';
import { mcpCallOf } from '../workflows/sensitive-action/mcp-call.ts';
import {
  replayRefusedType,
  type CardRef,
  type CardTarget,
  type SensitiveActionActivities,
  type SignatureVerdict,
} from '../workflows/sensitive-action/types.ts';

/** Posts and edits approval cards (the chat surface implements it). */
export interface ApprovalCardSender {
  plan(input: Parameters<SensitiveActionActivities['planApprovalCards']>[0]): Promise<CardTarget[]>;
  post(input: Parameters<SensitiveActionActivities['postApprovalCard']>[0]): Promise<CardRef>;
  update(input: Parameters<SensitiveActionActivities['updateApprovalCards']>[0]): Promise<void>;
}

/** Dependencies of the action activities. */
export interface ActionActivityDeps {
  /** The current policy set (reloaded by the caller when files change). */
  policy: () => Promise<LoadedPolicy>;
  vault: CredentialStore;
  /** The worker's MCP hub: requests to `mcp:<server>` call a tool through it. */
  mcp?: McpHub;
  audit: AuditStore;
  cards: ApprovalCardSender;
  /** Standing approvals; without it no request is ever allowed by a grant. */
  grants?: Grants;
  /** Response bytes kept in history; the rest is cut. Default 16 KiB. */
  maxResultBytes?: number;
  /** Checks the webhook's signature on decisions (and on the approval a grant carries). */
  checkDecision: DecisionChecker;
}

/** Rethrow Airlock business errors as non-retryable failures the workflow can read. */
function asFailure(err: unknown): never {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (err as Error).name === 'AirlockError') {
    throw ApplicationFailure.nonRetryable((err as Error).message, code);
  }
  throw err;
}

/** The run this activity works for (local or not): the activity context's, never the input's. */
function currentRun(): { workflowId: string; runId: string } {
  const run = Context.current().info.workflowExecution;
  if (!run) throw new Error('an action activity runs for a workflow');
  return run;
}

/**
 * A decision's run binding: a decision that names a run (the card's, signed with it) counts only in
 * that run. One without is from a card posted before cards carried their run.
 */
function runProblem(decision: ApprovalDecision, runId: string): string | null {
  if (decision.runId === undefined || decision.runId === runId) return null;
  return `decision made for another run (${decision.runId}) of this workflow: a replayed or earlier click`;
}

/** Build the sensitive-action activities. */
export function createActionActivities(deps: ActionActivityDeps): SensitiveActionActivities {
  /**
   * The first of `ids` that is an active grant the webhook's signed approval stands behind, and that
   * an earlier run of `workflowId` itself did not give (a replayed request is not covered by the
   * grant its own first run gave).
   */
  const genuineGrant = async (ids: string[], workflowId: string): Promise<ActiveGrant | null> => {
    for (const id of ids) {
      const active = await deps.grants?.active([id]);
      if (!active) continue;
      const problem =
        active.grant.fromWorkflowId === workflowId
          ? 'given by an earlier run of this same request'
          : grantProblem(active, deps.checkDecision);
      if (!problem) return active;
      log.warn('grant ignored: it covers nothing', { grantId: id, problem });
    }
    return null;
  };
  return {
    async decidePolicy({ workflowId, request }) {
      // A broken policy file is retried (with backoff) until someone fixes it: the run waits,
      // visibly failing in the UI, rather than deciding anything on a half-edited policy.
      const policy = await deps.policy().catch((err: unknown) => {
        throw ApplicationFailure.retryable((err as Error).message, 'policy_invalid');
      });
      // An MCP call the policy lets through is checked against the tool as its server lists it
      // (a local activity: its time limit bounds a server slow to list).
      const signal = Context.current().cancellationSignal;
      const pinned = await decideRequest(policy, request, deps.mcp, signal);
      const ids = pinned.grantIds;
      if (pinned.decision !== 'approve' || pinned.grants.length === 0 || !deps.grants)
        return pinned;
      // An active, genuine grant for this exact kind of request lets it through without a card.
      const active = await genuineGrant(
        [ids.session, ids.duration].filter((id): id is string => id !== null),
        workflowId,
      );
      if (!active) return pinned;
      const { grant } = active;
      return {
        ...pinned,
        decision: 'allow' as const,
        reason: `allowed by grant ${grant.id} (${grant.kind}, given by ${grant.grantedBy} until ${grant.until}); rule ${pinned.rule} would ask for approval`,
        grant: { id: grant.id, grantedBy: grant.grantedBy, until: grant.until },
      };
    },

    async checkGrant({ id }) {
      return Boolean(await genuineGrant([id], currentRun().workflowId));
    },

    checkDecisionSignatures: ({ workflowId, decisions }) =>
      Promise.resolve(decisions.map((d) => check(workflowId, d))),

    checkDecisionsAndRecordFirst: (input) => checkAndRecord(input),

    async checkRecordAndExecute({ workflowId, decisions, record, request, decision }) {
      const verdicts = await checkAndRecord({ workflowId, decisions, record });
      if (!verdicts[0]?.ok) return { verdicts };
      try {
        return {
          verdicts,
          execution: { result: await execute({ workflowId, request, decision }) },
        };
      } catch (err) {
        const message = String((err as Error).message ?? err);
        // Another run holds the request id: nothing to send again.
        if ((err as ApplicationFailure).type === replayRefusedType)
          return { verdicts, execution: { refused: message } };
        // The workflow sends it again through executeAction (same idempotency key, its retries).
        return { verdicts, execution: { error: message } };
      }
    },

    planApprovalCards: (input) => deps.cards.plan(input),
    // A card names the run that posted it; its clicks carry the run back, signed (runProblem).
    postApprovalCard: (input) => deps.cards.post({ ...input, runId: currentRun().runId }),

    async updateApprovalCards(input) {
      if (input.cards.length > 0) await deps.cards.update({ ...input, runId: currentRun().runId });
    },

    executeAction: (input) => execute(input),

    async recordAudit(entry) {
      const stored = await deps.audit.append(entry);
      // A retried step finds its own record (its time may differ: a new workflow task built it
      // again); another event under the same id would be lost.
      if (stored.type !== entry.type || stored.workflowId !== entry.workflowId)
        throw ApplicationFailure.nonRetryable(
          `audit id ${entry.id} already holds another event (${stored.type} at ${stored.at}): this ${entry.type} would be lost`,
          'audit_id_taken',
        );
    },
  };

  /** The webhook's signature on `d`, then its run binding (a forged run fails the signature). */
  function check(workflowId: string, d: ApprovalDecision): SignatureVerdict {
    const verdict = deps.checkDecision(workflowId, d);
    if (!verdict.ok) return verdict;
    const problem = runProblem(d, currentRun().runId);
    return problem ? { ok: false, why: problem } : verdict;
  }

  async function checkAndRecord({
    workflowId,
    decisions,
    record,
  }: Parameters<SensitiveActionActivities['checkDecisionsAndRecordFirst']>[0]) {
    const verdicts = decisions.map((d) => check(workflowId, d));
    const first = verdicts[0];
    if (first?.ok) {
      const signer = first.keyId ? { signedBy: first.keyId } : {};
      const warning = first.warning ? { warning: first.warning } : {};
      await deps.audit.append({ ...record, detail: { ...record.detail, ...signer, ...warning } });
    }
    return verdicts;
  }

  async function execute({
    workflowId,
    request,
    decision,
  }: Parameters<SensitiveActionActivities['executeAction']>[0]) {
    // The way out: an MCP server's tool (`mcp:<server>`), or a capability's API through the vault.
    const mcp = mcpCallOf(request);
    const way = mcp ? { mcp } : decision.capability ? { cap: decision.capability } : null;
    if (!way)
      throw ApplicationFailure.nonRetryable(
        `capability ${request.capability} is not defined`,
        'policy_capability',
      );
    // Claimed before it is sent: two runs racing cannot both send, and a retry of this run can,
    // with the same Idempotency-Key. An MCP call has no such key: it is claimed by this attempt,
    // and a retry of the run sends nothing (the first attempt may have reached the tool).
    const { runId } = currentRun();
    const attempt = mcp ? randomUUID() : undefined;
    const claim = await claimExecution(deps.audit, {
      workflowId,
      runId,
      agent: request.agent,
      capability: request.capability,
      requestHash: decision.requestHash,
      policyRule: decision.rule,
      policyHash: decision.policyHash,
      ...(attempt ? { attempt } : {}),
    });
    if (!claim.ok && claim.attempt !== undefined)
      throw ApplicationFailure.nonRetryable(
        `an earlier attempt of this run started the tool call (${claim.since}) and never reported back; an MCP call carries no idempotency key, so it is not made again`,
        'mcp_call_unsettled',
      );
    if (!claim.ok)
      throw ApplicationFailure.create({
        message: `request ${workflowId} was already claimed for execution by run ${claim.heldBy} at ${claim.since}: this run (${runId}) executes nothing`,
        type: replayRefusedType,
        nonRetryable: true,
        details: [{ heldBy: claim.heldBy, since: claim.since, runId }],
      });
    const maxResponseBytes = deps.maxResultBytes ?? 16 * 1024;
    if (way.mcp) {
      const result = await executeMcpCall({
        hub: deps.mcp,
        call: way.mcp,
        request,
        maxResultBytes: maxResponseBytes,
        signal: Context.current().cancellationSignal,
      });
      log.info('tool called', { agent: request.agent, ...way.mcp, status: result.status });
      return result;
    }
    const { cap } = way;
    const response = await executeWithVault(
      {
        agent: request.agent,
        credential: cap.credential,
        method: request.method,
        // Concatenate, never resolve: a path like //evil.example must not change the host.
        url: `${cap.baseUrl.replace(/\/+$/, '')}${request.path}`,
        ...(request.body === undefined ? {} : { body: request.body as JsonValue }),
        idempotencyKey: workflowId,
        maxResponseBytes,
      },
      { store: deps.vault },
    ).catch(asFailure);
    // The SDK adds the run's workflow id, activity and attempt to every activity log line.
    log.info('action executed', {
      agent: request.agent,
      capability: request.capability,
      method: request.method,
      status: response.status,
    });
    return { status: response.status, body: response.body, truncated: response.truncated };
  }
}
