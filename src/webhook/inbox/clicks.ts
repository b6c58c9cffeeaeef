// Turns a verified button click into an ApprovalDecision. Identity comes only from the platform's
// verified payload (Teams activity `from` + conversation tenant; Slack `user`), never from the
// button value, which the clicker could have tampered with; the value only names the workflow.
import {
  capReason,
  type ApprovalDecision,
  type ApproverIdentity,
} from '../../../workflows/sensitive-action/messages.ts';
import {
  approveActionId,
  approveDurationActionId,
  approveSessionActionId,
  parseButtonValue,
  rejectActionId,
} from '../../chat/cards.ts';
import { reasonInputId, slackReasonBlockId } from '../../chat/platform-cards.ts';

/** The parts of a Chat SDK action event this module reads. */
export interface ClickEvent {
  actionId: string;
  value?: string;
  platform: string;
  raw: unknown;
}

/** A click that became a decision for `workflowId`, or the reason it did not. */
export type ClickResult =
  { ok: true; workflowId: string; decision: ApprovalDecision } | { ok: false; reason: string };

/** Build the decision a click stands for; `now` is the receive time. */
export function decisionFromClick(event: ClickEvent, now: Date = new Date()): ClickResult {
  const approving = [approveActionId, approveSessionActionId, approveDurationActionId].includes(
    event.actionId,
  );
  const choice = approving ? 'approve' : event.actionId === rejectActionId ? 'reject' : null;
  const grant =
    event.actionId === approveSessionActionId
      ? ({ kind: 'session' } as const)
      : event.actionId === approveDurationActionId
        ? ({ kind: 'duration' } as const)
        : undefined;
  if (!choice) return { ok: false, reason: `not an approval action: ${event.actionId}` };
  const value = parseButtonValue(event.value);
  if (!value) return { ok: false, reason: 'button value is not {workflowId, requestHash}' };
  const who =
    event.platform === 'teams'
      ? teamsIdentity(event.raw)
      : event.platform === 'slack'
        ? slackIdentity(event.raw)
        : null;
  if (!who) return { ok: false, reason: `no verified identity in the ${event.platform} payload` };
  const reason = capReason(
    event.platform === 'teams' ? teamsReason(event.raw) : slackReason(event.raw),
  );
  return {
    ok: true,
    workflowId: value.workflowId,
    decision: {
      decisionId: who.deliveryId,
      choice,
      approver: who.identity,
      requestHash: value.requestHash,
      ...(value.policyHash ? { policyHash: value.policyHash } : {}),
      ...(value.runId ? { runId: value.runId } : {}),
      receivedAt: now.toISOString(),
      ...(reason ? { reason } : {}),
      ...(grant ? { grant } : {}),
    },
  };
}

/** A verified identity and the id of the activity that carried it. */
export interface Who {
  identity: ApproverIdentity;
  /** Unique per click; a redelivery of the same click carries the same id. */
  deliveryId: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

/** The verified Teams identity of an activity (sender and tenant), or null. */
export function teamsIdentity(raw: unknown): Who | null {
  const activity = obj(raw);
  const from = obj(activity['from']);
  const userId = str(from['id']);
  const activityId = str(activity['id']);
  if (!userId || !activityId) return null;
  // Only `conversation.tenantId`: `channelData` is free-form and not what the token vouches for.
  // The webhook's edge refuses a production click without it (teams-edge.ts).
  const tenantId = str(obj(activity['conversation'])['tenantId']);
  const aadObjectId = str(from['aadObjectId']);
  return {
    deliveryId: `teams:${activityId}`,
    identity: {
      platform: 'teams',
      userId,
      displayName: str(from['name']) ?? userId,
      ...(aadObjectId ? { aadObjectId } : {}),
      ...(tenantId ? { tenantId } : {}),
    },
  };
}

function slackIdentity(raw: unknown): Who | null {
  const payload = obj(raw);
  const user = obj(payload['user']);
  const userId = str(user['id']);
  const action = obj((payload['actions'] as unknown[] | undefined)?.[0]);
  // trigger_id is unique per interaction; action_ts is the fallback for payloads without one.
  const interaction = str(payload['trigger_id']) ?? str(action['action_ts']);
  if (!userId || !interaction) return null;
  const tenantId = str(user['team_id']) ?? str(obj(payload['team'])['id']);
  return {
    deliveryId: `slack:${interaction}`,
    identity: {
      platform: 'slack',
      userId,
      displayName: str(user['name']) ?? str(user['username']) ?? userId,
      ...(tenantId ? { tenantId } : {}),
    },
  };
}

/** The reason box's text: Action.Submit puts inputs in `value`, an invoke in `value.action.data`. */
function teamsReason(raw: unknown): unknown {
  const value = obj(obj(raw)['value']);
  return value[reasonInputId] ?? obj(obj(value['action'])['data'])[reasonInputId];
}

/** The reason box's text from a block_actions payload's `state.values`. */
function slackReason(raw: unknown): unknown {
  const values = obj(obj(obj(raw)['state'])['values']);
  return obj(obj(values[slackReasonBlockId])[reasonInputId])['value'];
}
