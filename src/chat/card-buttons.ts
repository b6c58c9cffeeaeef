// What an approval card's buttons carry: their action ids (short, namespaced) and their value,
// which names the workflow and binds the click to the exact request. The value comes back from the
// clicker's client, so it is parsed strictly (parseButtonValue) and never trusted for identity.

/** Action ids of the two buttons on a pending card. */
export const approveActionId = 'approval:approve';
export const rejectActionId = 'approval:reject';
/** Approve and grant: later identical requests in this session, or for a time, need no card. */
export const approveSessionActionId = 'approval:approve-session';
export const approveDurationActionId = 'approval:approve-duration';
/** Every action id an approval card can send. */
export const approvalActionIds = [
  approveActionId,
  approveSessionActionId,
  approveDurationActionId,
  rejectActionId,
];

/** What each button carries back: enough to find the workflow and bind the click to the request. */
export interface ButtonValue {
  workflowId: string;
  requestHash: string;
  /** The policy hash the card was made under; the workflow refuses a click that differs. */
  policyHash?: string;
  /** The run the card was made for; the click counts in that run only. */
  runId?: string;
}

/** Size caps of a button value's fields (characters). */
export const buttonLimits = {
  workflowId: 200,
  requestHash: 64,
  policyHash: 64,
  runId: 64,
} as const;

/** Compact JSON for a button's value. */
export function encodeButtonValue(value: ButtonValue): string {
  return JSON.stringify({
    workflowId: value.workflowId,
    requestHash: value.requestHash,
    ...(value.policyHash ? { policyHash: value.policyHash } : {}),
    ...(value.runId ? { runId: value.runId } : {}),
  });
}

/** Parse a clicked button's value; null when it is not exactly what we put there. */
export function parseButtonValue(raw: unknown): ButtonValue | null {
  if (typeof raw !== 'string' || raw.length > 1000) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { workflowId, requestHash, policyHash, runId } = parsed as Record<string, unknown>;
  const ok = (v: unknown, max: number): v is string =>
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= max &&
    ![...v].some((c) => c.charCodeAt(0) < 0x20);
  if (!ok(workflowId, buttonLimits.workflowId) || !ok(requestHash, buttonLimits.requestHash))
    return null;
  if (policyHash !== undefined && !ok(policyHash, buttonLimits.policyHash)) return null;
  if (runId !== undefined && !ok(runId, buttonLimits.runId)) return null;
  return {
    workflowId,
    requestHash,
    ...(policyHash !== undefined ? { policyHash } : {}),
    ...(runId !== undefined ? { runId } : {}),
  };
}
