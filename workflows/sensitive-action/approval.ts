// The approval wait: post cards, then loop on `condition` until a decision, the next reminder,
// the next escalation level or the deadline. Signal handlers only queue clicks; this loop judges
// them one by one (Tally), has each batch's clicks that would count checked and recorded
// (execute.ts: one local activity per batch), records the refusals (capped per identity,
// RefusalLog), and keeps every card's notes current.
import { condition, setCurrentDetails, sleep, workflowInfo } from '@temporalio/workflow';
import { clickRefused, requestDecided } from '../metrics.ts';
import type { CheckBatch } from './execute.ts';
import type { ApprovalDecision, ShowCardRequest } from './messages.ts';
import { cardPoster } from './post.ts';
import type { Audit } from './run.ts';
import { publishApprovers, showCards } from './show.ts';
import { Tally, type RefusalCode } from './tally.ts';
import { unusual } from './unusual.ts';
import type { CardInput, CardRef, CardTarget, UnusualFinding } from './types.ts';
import type { ActionRequest, PinnedDecision } from './request.ts';

/** What the wait ended with. */
export interface ApprovalResult {
  outcome: 'approved' | 'rejected' | 'expired';
  tally: Tally;
  cards: CardRef[];
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
  /** Start checking clicks (execute.ts); called once, as the wait starts. */
  startChecking: () => CheckBatch;
  onProgress: (tally: Tally) => void;
  /** Note a refused click; true when it is listed and audited (false: only counted). */
  onRefused: (click: ApprovalDecision, why: string) => boolean;
  /** What is unusual about the request, shown on every card (pinned before the first). */
  findings: UnusualFinding[];
}

const names = (list: { displayName: string }[]) => list.map((x) => x.displayName).join(', ');

/** Wait for the humans; returns approved, rejected or expired. The caller finalizes the cards. */
export async function waitForApproval(ctx: ApprovalContext): Promise<ApprovalResult> {
  const { workflowId, request, decision, inbox } = ctx;
  // In this order, here: each asks a patch (the markers land in this workflow task).
  const check = ctx.startChecking();
  const { post, postTo, update } = cardPoster(ctx.audit);
  const start = Date.now();
  const deadlineMs = start + decision.expiry.afterMs;
  const deadline = new Date(deadlineMs).toISOString();
  const { findings } = ctx;
  const card: CardInput = { workflowId, request, decision, deadline, ...unusual(findings) };
  const cards = await post(card);
  await ctx.audit('cards-posted', {
    detail: {
      cards: cards.map((c) => `${c.platform}:${c.audience}`),
      ...(findings.length ? { unusual: findings.map((f) => f.text) } : {}),
    },
  });
  const tally = new Tally(decision, request);
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
  const refresh = () => update({ ...card, cards, view: { state: 'pending', notes: notes() } });
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
      const { signatures, record } = await check(tally, batch);
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
        await record(click);
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
  return { outcome: tally.outcome ?? 'expired', tally, cards };
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
