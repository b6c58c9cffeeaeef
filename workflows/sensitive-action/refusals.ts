// Refused clicks, kept small: the first few per identity are listed in the status and audited one
// by one; the rest are only counted (and summarized once), so a flood of refused signals from one
// identity cannot grow the history and the status until Temporal's limits end the workflow.
import { refusalsListedPerIdentity, type ApprovalDecision } from './messages.ts';

/** Refused clicks listed at most, over all identities. */
const listedAtMost = 100;

/** The per-identity count of refused clicks. */
export class RefusalLog {
  private readonly counts = new Map<string, { approver: string; count: number }>();
  private listed = 0;

  /** Count one refused `click`; true when it should be listed and audited. */
  note(click: ApprovalDecision): boolean {
    const who = (click as Partial<ApprovalDecision> | undefined)?.approver;
    const key = `${String(who?.platform)}:${String(who?.tenantId ?? '')}:${String(who?.userId)}`;
    const entry = this.counts.get(key) ?? { approver: who?.displayName ?? '?', count: 0 };
    entry.count++;
    this.counts.set(key, entry);
    if (entry.count > refusalsListedPerIdentity || this.listed >= listedAtMost) return false;
    this.listed++;
    return true;
  }

  /** The refused clicks not listed, per identity (empty when none). */
  unlisted(): { approver: string; count: number }[] {
    const out: { approver: string; count: number }[] = [];
    for (const { approver, count } of this.counts.values())
      if (count > refusalsListedPerIdentity)
        out.push({ approver, count: count - refusalsListedPerIdentity });
    const total = out.reduce((n, x) => n + x.count, 0);
    const all = [...this.counts.values()].reduce((n, x) => n + x.count, 0);
    // Clicks beyond the overall cap from identities still under their own cap.
    const rest = all - this.listed - total;
    if (rest > 0) out.push({ approver: '(others)', count: rest });
    return out;
  }
}
