// The approval wait: post cards, then loop on `condition` until a decision, the next reminder,
// the next escalation level or the deadline. Signal handlers only queue clicks; this loop judges
// them one by one (Tally), checks the webhook's signature of each click that would count (one
// local activity per batch, which for a lone click also appends its decision record), records
// the verdicts (refusals capped per identity, RefusalLog), and keeps every card's notes current.
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { clickRefused, requestDecided } from '../metrics.ts';
import { capReason, type ApprovalDecision, type ShowCardRequest } from './messages.ts';
import { publishApprovers, showCards } from './show.ts';
import { Tally, type RefusalCode } from './tally.ts';
import type { Audit, AuditEntryOf } from './run.ts';
import { unusual } from './unusual.ts';
import type {
  ActionRequest,
  AuditEntry,
  CardInput,
  CardRef,
  CardTarget,
  ExecutionResult,
  PinnedDecision,
  SensitiveActionActivities,
  SignatureVerdict,
  UnusualFinding,
} from './types.ts';

const acts = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A card that cannot be posted after a few tries is skipped (and audited): the others still go.
const posting = proxyActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 4 },
});
/** The signature check that also appends the audit record of the decision it lets count. */
export interface DecisionRecordActivities {
  /**
   * Check each decision's webhook signature (one answer per decision, in order); when the first
   * one's holds, append `record` for it, its signer (or the unsigned warning) added to the detail.
   */
  checkDecisionsAndRecordFirst(input: {
    workflowId: string;
    decisions: ApprovalDecision[];
    record: AuditEntry;
  }): Promise<SignatureVerdict[]>;
  /**
   * The same for a lone click that approves the request, then, when its signature holds, the
   * first attempt at executing it (as executeAction does); an execution that throws comes back as
   * its message, and the workflow sends it again through executeAction.
   */
  checkRecordAndExecute(input: {
    workflowId: string;
    decisions: ApprovalDecision[];
    record: AuditEntry;
    request: ActionRequest;
    decision: PinnedDecision;
  }): Promise<{ verdicts: SignatureVerdict[]; execution?: FirstExecution }>;
}

/**
 * The first attempt at executing an approved request, made with the approving click's check: its
 * answer, its error (sent again), or the ledger's refusal (another run holds the request id).
 */
export type FirstExecution = { result: ExecutionResult } | { error: string } | { refused: string };

const local = proxyLocalActivities<SensitiveActionActivities & DecisionRecordActivities>({
  startToCloseTimeout: '10 seconds',
});
// The check that also executes may take as long as the execution (the vault's request allows
// 30 s); a timeout here would send the request again while the first is still under way.
const checkAndExecute = proxyLocalActivities<DecisionRecordActivities>({
  startToCloseTimeout: '2 minutes',
});
// Planning where the cards go reads the policy's targets (and may open a direct message): short,
// so it runs as a local activity in the workflow task that decided to ask, retried like `acts`.
// That saves a workflow task and an activity round trip on every request that asks.
const planning = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// Runs that started before the decision record was appended by the signature check keep the
// two local activities. Asked once, as the wait starts: the patch marker (and the search
// attribute the SDK sets with it) then lands in that workflow task, not in the one a click wakes.
const recordWithCheck = 'decision-recorded-with-signature-check';
// Runs that started while planning was an activity keep planning with activities.
const planLocally = 'cards-planned-in-a-local-activity';

/** What the wait ended with. */
export interface ApprovalResult {
  outcome: 'approved' | 'rejected' | 'expired';
  tally: Tally;
  cards: CardRef[];
  /** Set when the approving click's check also made the first attempt at the execution. */
  executed?: FirstExecution;
}

/** Everything the wait needs from the workflow. */
export interface ApprovalContext {
  workflowId: string;
  request: ActionRequest;
  decision: PinnedDecision;
  inbox: ApprovalDecision[];
  /** Approvers who arrived in a chat with the bot and should see the card there. */
  shows: ShowCardRequest[];
  audit: Audit;
  auditEntry: AuditEntryOf;
  onProgress: (tally: Tally) => void;
  /** Note a refused click; true when it is listed and audited (false: only counted). */
  onRefused: (click: ApprovalDecision, why: string) => boolean;
  /** What is unusual about the request, shown on every card (pinned before the first). */
  findings: UnusualFinding[];
  /**
   * Whether the approving lone click's local activity also executes the request (true for runs
   * started since `patched('click-checked-and-executed-together')`; never for an exchange step).
   */
  executeWithClick: boolean;
}

const names = (list: { displayName: string }[]) => list.map((x) => x.displayName).join(', ');

/** The audit detail of a counted click, before the signature check adds its signer. */
const decisionDetail = (click: ApprovalDecision) => ({
  choice: click.choice,
  reason: capReason(click.reason),
  decisionId: click.decisionId,
  grant: click.grant,
});

/** Wait for the humans; returns approved, rejected or expired. The caller finalizes the cards. */
export async function waitForApproval(ctx: ApprovalContext): Promise<ApprovalResult> {
  const { workflowId, request, decision, inbox } = ctx;
  const together = patched(recordWithCheck);
  const plan = patched(planLocally) ? planning.planApprovalCards : acts.planApprovalCards;
  const start = Date.now();
  const deadlineMs = start + decision.expiry.afterMs;
  const deadline = new Date(deadlineMs).toISOString();
  const { findings } = ctx;
  const card: CardInput = { workflowId, request, decision, deadline, ...unusual(findings) };
  const postTo = async (
    input: CardInput & { escalationLevel?: number },
    target: CardTarget,
  ): Promise<CardRef | null> => {
    try {
      return await posting.postApprovalCard({ ...input, target });
    } catch (err) {
      await ctx.audit('card-failed', {
        detail: { audience: target.audience, error: String((err as Error).cause ?? err) },
      });
      return null;
    }
  };
  const post = async (input: CardInput & { escalationLevel?: number }): Promise<CardRef[]> => {
    const refs: CardRef[] = [];
    for (const target of await plan(input)) {
      const ref = await postTo(input, target);
      if (ref) refs.push(ref);
    }
    return refs;
  };
  const cards = await post(card);
  await ctx.audit('cards-posted', {
    detail: {
      cards: cards.map((c) => `${c.platform}:${c.audience}`),
      ...(findings.length ? { unusual: findings.map((f) => f.text) } : {}),
    },
  });
  const tally = new Tally(decision, request);
  let executed: FirstExecution | undefined;
  publishApprovers(tally);
  const shown = new Set<string>();
  const every = decision.reminderEveryMs;
  let nextReminder = every ? start + every : Infinity;
  let reminders = 0;
  const levels = decision.escalation;
  let level = 0; // escalation levels reached so far
  const escalateAt = () =>
    level < levels.length ? start + (levels[level]?.afterMs ?? 0) : Infinity;

  const notes = () =>
    [
      decision.quorum > 1 || tally.approvals.length > 0
        ? `${tally.approvals.length} of ${decision.quorum} approvals${tally.approvals.length ? `: ${names(tally.approvals.map((a) => a.approver))}` : ''}`
        : '',
      level > 0 ? `Escalated to ${names(levels.slice(0, level).flatMap((l) => l.approvers))}` : '',
      reminders > 0 ? `Reminder ${reminders}: still waiting for a decision` : '',
    ].filter(Boolean);
  const refresh = () =>
    acts.updateApprovalCards({ ...card, cards, view: { state: 'pending', notes: notes() } });
  const describe = () =>
    setCurrentDetails(
      `Waiting for ${decision.quorum} approval(s) from ${names(tally.authorized)} until ${deadline}.`,
    );
  describe();

  // One durable timer per wake-up time, kept across clicks: a condition with a timeout would start
  // and cancel a timer for every click (two history events each), so a flood of clicks would
  // grow the history twice as fast.
  let timer: { at: number; fired: Promise<void> } | undefined;
  const until = (at: number): Promise<void> => {
    if (timer?.at !== at) timer = { at, fired: sleep(Math.max(1, at - Date.now())) };
    return timer.fired;
  };
  while (!tally.outcome && Date.now() < deadlineMs) {
    const wake = Math.min(deadlineMs, nextReminder, escalateAt());
    await Promise.race([condition(() => inbox.length > 0 || ctx.shows.length > 0), until(wake)]);
    // Arrivals first: a card shown now still gets the outcome of a click in the same batch.
    const copy = (target: CardTarget) => postTo(card, target);
    let changed = await showCards(ctx.shows, shown, tally, cards, copy, ctx.audit);
    while (inbox.length > 0 && !tally.outcome) {
      const batch = inbox.splice(0);
      const { signatures, recorded, execution } = await checkSignatures(
        ctx,
        tally,
        batch,
        together,
      );
      executed ??= execution;
      for (const [i, click] of batch.entries()) {
        if (tally.outcome) {
          inbox.unshift(...batch.slice(i)); // judged as late clicks
          break;
        }
        const signature = signatures.get(click);
        if (signature && !signature.ok) {
          // The activity's text says what was wrong; the code only whether a signature came.
          const code = click.signature ? 'bad-signature' : 'unsigned';
          await refuse(ctx, click, signature.why, code);
          continue;
        }
        const verdict = tally.consider(click);
        if (verdict.kind === 'duplicate') continue;
        if (verdict.kind === 'refused') {
          await refuse(ctx, click, verdict.why, verdict.code);
          continue;
        }
        if (click !== recorded)
          await ctx.audit('decision', {
            approver: click.approver,
            detail: {
              ...decisionDetail(click),
              ...(signature?.ok && signature.keyId ? { signedBy: signature.keyId } : {}),
              ...(signature?.ok && signature.warning ? { warning: signature.warning } : {}),
            },
          });
        ctx.onProgress(tally);
        changed ||= verdict.kind === 'counted';
      }
    }
    if (tally.outcome) break;
    const now = Date.now();
    if (now >= escalateAt() && now < deadlineMs) {
      const reached = levels[level++];
      if (reached) {
        tally.authorize(reached.approvers);
        publishApprovers(tally);
        const posted = await post({
          ...card,
          decision: { ...decision, approvers: reached.approvers },
          escalationLevel: level,
        });
        cards.push(...posted);
        await ctx.audit('escalated', {
          detail: { level, approvers: reached.approvers.map((a) => a.id) },
        });
        describe();
        changed = true;
      }
    }
    if (now >= nextReminder && now < deadlineMs) {
      reminders++;
      while (nextReminder <= now) nextReminder += every as number; // one reminder per interval
      await ctx.audit('reminder', { detail: { reminder: reminders } });
      changed = true;
    }
    if (changed) await refresh();
  }
  if (!tally.outcome) tally.closedAs = 'expired';
  // Measured from the workflow's start (the request), at the task that saw the decision.
  const requestedAt = workflowInfo().startTime.getTime();
  requestDecided(
    tally.outcome ?? 'expired',
    request.agent,
    decision.rule,
    Date.now() - requestedAt,
  );
  await judgeLateClicks(ctx, tally);
  return { outcome: tally.outcome ?? 'expired', tally, cards, ...(executed ? { executed } : {}) };
}

/**
 * The webhook's signature verdict for each click of `batch` that would count; the others are
 * refused by the tally anyway and need no check (a refusal stays a refusal as the tally moves).
 * When the only such click comes first in its batch (the usual lone click), nothing judged before
 * it can change its verdict, so its decision record is built now and appended by the same local
 * activity once its signature holds (`recorded`): one local activity before the execution, not
 * two. When that click also approves the request, the same local activity makes the first attempt
 * at the execution (`execution`), after the record. A click refused for its signature leaves its
 * record's id unused (ids only need be unique) and executes nothing.
 */
async function checkSignatures(
  ctx: ApprovalContext,
  tally: Tally,
  batch: ApprovalDecision[],
  together: boolean,
): Promise<{
  signatures: Map<ApprovalDecision, SignatureVerdict>;
  recorded?: ApprovalDecision | undefined;
  execution?: FirstExecution | undefined;
}> {
  const pending = batch.filter((click) => tally.check(click) === null);
  if (pending.length === 0) return { signatures: new Map() };
  const { workflowId, request, decision } = ctx;
  const lone = together && pending.length === 1 && pending[0] === batch[0] ? pending[0] : undefined;
  const record = (click: ApprovalDecision) =>
    ctx.auditEntry('decision', { approver: click.approver, detail: decisionDetail(click) });
  let verdicts: SignatureVerdict[];
  let execution: FirstExecution | undefined;
  if (lone && ctx.executeWithClick && !lone.grant && tally.wouldApprove(lone)) {
    ({ verdicts, execution } = await checkAndExecute.checkRecordAndExecute({
      workflowId,
      decisions: pending,
      record: record(lone),
      request,
      decision,
    }));
  } else if (lone) {
    verdicts = await local.checkDecisionsAndRecordFirst({
      workflowId,
      decisions: pending,
      record: record(lone),
    });
  } else verdicts = await local.checkDecisionSignatures({ workflowId, decisions: pending });
  const unchecked: SignatureVerdict = { ok: false, why: 'signature not checked' };
  const signatures = new Map(pending.map((click, i) => [click, verdicts[i] ?? unchecked]));
  const ok = lone !== undefined && signatures.get(lone)?.ok === true;
  return { signatures, recorded: ok ? lone : undefined, execution: ok ? execution : undefined };
}

/**
 * Record a refused click: counted in the metrics (every one), in the status query and in the audit
 * log (the first few per identity).
 */
async function refuse(
  ctx: ApprovalContext,
  click: ApprovalDecision,
  why: string,
  code: RefusalCode,
): Promise<void> {
  clickRefused(code, ctx.request.agent);
  if (!ctx.onRefused(click, why)) return;
  await ctx.audit('rejected-click', {
    approver: click.approver,
    detail: { why, decisionId: click.decisionId },
  });
}

/**
 * Clicks that arrive once the request is decided (or expired) change nothing, but each distinct one
 * is still recorded as refused; redeliveries are dropped as duplicates.
 */
export async function judgeLateClicks(ctx: ApprovalContext, tally: Tally): Promise<void> {
  while (ctx.inbox.length > 0) {
    const click = ctx.inbox.shift() as ApprovalDecision;
    const verdict = tally.consider(click);
    if (verdict.kind === 'duplicate') continue;
    if (verdict.kind === 'refused') await refuse(ctx, click, verdict.why, verdict.code);
    else await refuse(ctx, click, 'request already decided', 'decided');
  }
}
