// From what a platform's edge read out of a click request (teams.ts, slack.ts: one parse, its
// verified identity and reason box included) to the verified click every later step takes (sign,
// keep, signal): the choice its button stands for, the workflow its value names, checked here and
// only here to be a sensitive action's. Identity comes only from the verified payload, never from
// the button value, which the clicker could have tampered with; the value only names the workflow.
import { isActionWorkflowId } from '../../../workflows/sensitive-action/ids.ts';
import { capReason, type ApprovalDecision } from '../../../workflows/sensitive-action/messages.ts';
import {
  approveActionId,
  approveDurationActionId,
  approveSessionActionId,
  parseButtonValue,
  rejectActionId,
} from '../../chat/card-buttons.ts';
import type { Who } from '../../chat/identity.ts';

/** An approval click as its platform's edge read it, once, from the request body. */
export interface ClickRead {
  platform: 'teams' | 'slack';
  actionId: string;
  /** The button's value (JSON naming the workflow), as the clicker's client sent it. */
  value?: string | undefined;
  /** Who clicked, from the verified payload; null when the payload names no one. */
  who: Who | null;
  /** What the reason box held (capped by decideClick). */
  reason: unknown;
  /** Teams invokes expect an invoke response body; everything else an empty 200. */
  invoke: boolean;
}

declare const checked: unique symbol;

/** A workflow id checked (once, by decideClick) to name a sensitive action's workflow. */
export type ActionWorkflowId = string & { readonly [checked]: true };

/** `workflowId` as an ActionWorkflowId when it names a sensitive action's workflow, else null. */
export function checkActionWorkflowId(workflowId: string): ActionWorkflowId | null {
  return isActionWorkflowId(workflowId) ? (workflowId as ActionWorkflowId) : null;
}

/** A verified click: the decision for a sensitive action's workflow. What the inbox keeps. */
export interface VerifiedClick {
  workflowId: ActionWorkflowId;
  decision: ApprovalDecision;
}

/** A click that became a verified click, or the reason it did not (`notAction`: names no action). */
export type ClickDecided =
  | { ok: true; click: VerifiedClick }
  | { ok: false; reason: string; notAction?: { workflowId: string; approver: string } };

/** Decide what a read click stands for; `now` is the receive time. */
export function decideClick(read: ClickRead, now: Date = new Date()): ClickDecided {
  const { actionId } = read;
  const approving = [approveActionId, approveSessionActionId, approveDurationActionId].includes(
    actionId,
  );
  const choice = approving ? 'approve' : actionId === rejectActionId ? 'reject' : null;
  const grant =
    actionId === approveSessionActionId
      ? ({ kind: 'session' } as const)
      : actionId === approveDurationActionId
        ? ({ kind: 'duration' } as const)
        : undefined;
  if (!choice) return { ok: false, reason: `not an approval action: ${actionId}` };
  const value = parseButtonValue(read.value);
  if (!value) return { ok: false, reason: 'button value is not {workflowId, requestHash}' };
  const { who } = read;
  if (!who) return { ok: false, reason: `no verified identity in the ${read.platform} payload` };
  const workflowId = checkActionWorkflowId(value.workflowId);
  if (!workflowId) {
    const notAction = { workflowId: value.workflowId, approver: who.identity.displayName };
    return { ok: false, reason: 'click names no sensitive action', notAction };
  }
  const reason = capReason(read.reason);
  return {
    ok: true,
    click: {
      workflowId,
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
    },
  };
}
