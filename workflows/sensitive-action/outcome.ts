// How a finished approval reads, on the card and to the requester: who decided, when, and why.
import type { ActionOutcome, CardView } from './types.ts';
import type { PinnedDecision } from './request.ts';

/** "3 days", "4 hours", "15 minutes", "5 seconds". */
export function describeSpan(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = +(ms / size).toFixed(1);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

/** The final card view for an approval that ended `outcome`. */
export function finalView(
  outcome: 'approved' | 'rejected' | 'expired',
  decidedBy: ActionOutcome['decidedBy'],
  decision: PinnedDecision,
): CardView & { outcomeText: string } {
  if (outcome === 'expired') {
    return {
      state: 'expired',
      outcomeText: `Expired after ${describeSpan(decision.expiry.afterMs)} — denied`,
    };
  }
  if (outcome === 'rejected') {
    const last = decidedBy.filter((d) => d.choice === 'reject').at(-1);
    const reason = last?.reason ? `: ${last.reason}` : ' (no reason given)';
    return {
      state: 'rejected',
      outcomeText: `Rejected by ${last?.approver.displayName ?? '?'} at ${hhmm(last?.at ?? '')}${reason}`,
    };
  }
  const approvers = decidedBy.filter((d) => d.choice === 'approve');
  const names = approvers.map((d) => d.approver.displayName).join(', ');
  return {
    state: 'approved',
    outcomeText: `Approved by ${names} at ${hhmm(approvers.at(-1)?.at ?? '')}`,
  };
}
