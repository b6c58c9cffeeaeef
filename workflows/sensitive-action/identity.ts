// Whether a clicker is a named approver: the same platform identity (Teams: AAD object id, and
// tenant when the approver names one; Slack: user id). Deterministic and shared: the tally counts
// clicks with it, and the policy decides who may talk to an agent with it (src/policy/agents.ts).
import type { ApproverIdentity } from './messages.ts';
import type { Approver } from './request.ts';

/** True when `who` is the identity of `approver` on the clicking platform. */
export function isApprover(who: ApproverIdentity, approver: Approver): boolean {
  if (who.platform === 'teams') {
    return Boolean(
      approver.aadObjectId &&
      approver.aadObjectId === who.aadObjectId &&
      (!approver.tenantId || approver.tenantId === who.tenantId),
    );
  }
  return Boolean(approver.slackUserId && approver.slackUserId === who.userId);
}
