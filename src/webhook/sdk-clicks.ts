// Clicks as the Chat SDK hands them on (its action events), for a click that slipped past the
// edge (teams.ts, slack.ts) into the SDK: read with the edges' own readers and decided by the same
// decideClick, so there is one way to read a click; such a click is only logged, never kept.
import type { Chat } from 'chat';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';
import { approvalActionIds } from '../chat/card-buttons.ts';
import type { Logger } from '../log.ts';
import { decideClick, type ClickRead } from './inbox/clicks.ts';
import { blockActionsOf, slackClicker } from './slack.ts';
import { clickActivityOf } from './teams-activity.ts';
import { teamsClicker } from './teams.ts';

/** The parts of a Chat SDK action event a click is read from. */
export interface ClickEvent {
  actionId: string;
  value?: string;
  platform: string;
  raw: unknown;
}

/** A click that became a decision for `workflowId`, or the reason it did not. */
export type ClickResult =
  { ok: true; workflowId: string; decision: ApprovalDecision } | { ok: false; reason: string };

/** The decision an SDK action event stands for (as the webhook would decide it); `now`: received. */
export function decisionFromClick(event: ClickEvent, now: Date = new Date()): ClickResult {
  const decided = decideClick(readEvent(event), now);
  if (!decided.ok) return { ok: false, reason: decided.reason };
  return { ok: true, workflowId: decided.click.workflowId, decision: decided.click.decision };
}

/** The SDK names the action and value it dispatched on; the payload says who, and why. */
function readEvent(event: ClickEvent): ClickRead {
  const { actionId, value } = event;
  const clicker = (): Pick<ClickRead, 'who' | 'reason'> => {
    const activity = event.platform === 'teams' ? clickActivityOf(event.raw) : null;
    if (activity) return teamsClicker(activity);
    const payload = event.platform === 'slack' ? blockActionsOf(event.raw) : null;
    if (payload) return slackClicker(payload);
    return { who: null, reason: undefined };
  };
  const platform = event.platform === 'slack' ? 'slack' : 'teams';
  return { platform, actionId, value, ...clicker(), invoke: false };
}

/** Log each approval click the SDK dispatches: the edge takes ours, so one here slipped past it. */
export function logSlippedClicks(chat: Chat, logger: Logger): void {
  chat.onAction(approvalActionIds, (event) => {
    const result = decisionFromClick({
      actionId: event.actionId,
      ...(event.value !== undefined ? { value: event.value } : {}),
      platform: event.adapter.name,
      raw: event.raw,
    });
    const reason = result.ok ? 'not in a shape the webhook takes clicks in' : result.reason;
    logger.warn({ actionId: event.actionId, reason }, 'ignored a card click');
  });
}
