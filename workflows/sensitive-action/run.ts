// What every step of one sensitive-action run shares: the request, its pinned policy decision, the
// status the CLI queries, the audit trail (one id per event and run, so a retried step appends once
// and a second run of the same workflow id, after a reset or a fresh start, loses none of its
// records) and the state operators see in the Temporal UI.
import {
  proxyLocalActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActionStatus } from './messages.ts';
import { ApprovalState } from './search.ts';
import type { AuditEntry, SensitiveActionActivities } from './types.ts';
import type { ActionRequest, PinnedDecision } from './request.ts';

// Audit appends are fast and local to the worker: a local activity skips a round trip through the
// server (its result is still recorded in history).
const local = proxyLocalActivities<SensitiveActionActivities>({
  startToCloseTimeout: '10 seconds',
});

/** Append one audit event for this run. */
export type Audit = (type: AuditEntry['type'], extra?: Partial<AuditEntry>) => Promise<void>;

/** Build the next audit event of this run (its id taken) for an activity to append. */
export type AuditEntryOf = (type: AuditEntry['type'], extra?: Partial<AuditEntry>) => AuditEntry;

/** One run's shared context. */
export interface Run {
  workflowId: string;
  request: ActionRequest;
  decision: PinnedDecision;
  status: ActionStatus;
  audit: Audit;
  auditEntry: AuditEntryOf;
  /** Set the state everywhere it shows: status query, search attribute, current details. */
  setState(state: ActionStatus['state'], summary: string): void;
}

/** The context of run `workflowId` once its policy decision is pinned. */
export function startRun(
  workflowId: string,
  request: ActionRequest,
  decision: PinnedDecision,
  status: ActionStatus,
): Run {
  let seq = 0;
  // The run id, not a patch: ids only need be unique, and no command depends on them. Records of a
  // run's steps before a reset keep the ids they were appended with (their results are in history).
  const { runId } = workflowInfo();
  const auditEntry: AuditEntryOf = (type, extra = {}) => ({
    id: `${workflowId}@${runId}#${++seq}`,
    type,
    at: new Date().toISOString(),
    workflowId,
    agent: request.agent,
    capability: request.capability,
    requestHash: decision.requestHash,
    policyRule: decision.rule,
    policyHash: decision.policyHash,
    ...extra,
  });
  return {
    workflowId,
    request,
    decision,
    status,
    audit: (type, extra) => local.recordAudit(auditEntry(type, extra)),
    auditEntry,
    setState(state, summary) {
      status.state = state;
      status.summary = summary;
      upsertSearchAttributes([{ key: ApprovalState, value: state }]);
      setCurrentDetails(summary);
    },
  };
}
