// grantWorkflow (`grant:<key>`): a standing approval that lives until its deadline (a durable
// timer) or until revoked. While it runs, sensitiveActionWorkflow lets identical requests through
// without a card; its history is the grant's own audit record.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import {
  grantStatusQuery,
  revokeGrantSignal,
  type GrantRecord,
  type GrantStatus,
} from './messages.ts';
import { ApprovalState } from '../sensitive-action/search.ts';

/** Hold `grant` until it expires or is revoked; returns how it ended. */
export async function grantWorkflow({ grant }: { grant: GrantRecord }): Promise<GrantStatus> {
  const status: GrantStatus = { grant, active: true };
  setHandler(grantStatusQuery, () => status);
  setHandler(revokeGrantSignal, ({ by }) => {
    if (!status.active) return;
    status.active = false;
    status.endedBecause = 'revoked';
    status.revokedBy = by;
  });
  upsertSearchAttributes([{ key: ApprovalState, value: 'grant-active' }]);
  const left = Date.parse(grant.until) - Date.now();
  await condition(() => !status.active, Math.max(1, left));
  if (status.active) {
    status.active = false;
    status.endedBecause = 'expired';
  }
  upsertSearchAttributes([
    { key: ApprovalState, value: `grant-${status.endedBecause ?? 'ended'}` },
  ]);
  return status;
}
