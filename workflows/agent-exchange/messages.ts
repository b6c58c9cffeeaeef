// Messages of agentExchangeWorkflow: the answer the target agent's session sends back (signal),
// and the status query the CLI reads. States map one to one onto A2A task states, so an A2A
// adapter can sit on top. Session, CLI and gateway code import this file, never workflow.ts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { InstructionFindingRequest } from '../sensitive-action/request.ts';

/** The exchange's state; the A2A task state of the same name. */
export type ExchangeState =
  'submitted' | 'working' | 'completed' | 'rejected' | 'canceled' | 'failed';

/** The step an exchange is at, or ended at when it did not complete. */
export type ExchangeStep =
  'link' | 'question-approval' | 'delivery' | 'answering' | 'answer-approval' | 'done';

/** One thing the sanitizer removed (its kind, e.g. `role-marker`, and a short excerpt). */
export interface Removal {
  kind: string;
  excerpt: string;
}

/** Text that crossed (or tried to cross) the boundary, as the sanitizer left it. */
export interface SanitizedText {
  text: string;
  removed: Removal[];
  truncated: boolean;
  /** The sentences of `text` that tell the reader to act, when there are any (at most 20). */
  instructions?: InstructionFindingRequest[];
}

/** The target session's answer: its reply to the turn that carried the question. */
export interface ExchangeAnswer {
  text: string;
  /** The answering session's workflow id and turn (for the audit trail). */
  sessionWorkflowId: string;
  turn: number;
}

/** What the asker gets back, and what `airlock exchanges show` prints. */
export interface ExchangeStatus {
  id: string;
  from: string;
  to: string;
  state: ExchangeState;
  step: ExchangeStep;
  /** Why it ended where it did (rejected, expired, failed, no link…). */
  reason?: string;
  question: SanitizedText | null;
  /** The sanitized answer; only on `completed` is it ever given to the asker. */
  answer: SanitizedText | null;
  /** The approval workflows of the two steps, when they ran. */
  approvals: { step: 'question' | 'answer'; workflowId: string; outcome?: string }[];
  /** The target's session the question went to. */
  targetSession?: string;
  startedAt: string;
  endedAt?: string;
}

/**
 * An exchange's status before its first step: the workflow's own at its start, and what the A2A
 * handler answers for a task whose workflow has not started yet (`from` empty: not known there).
 */
export function startingStatus(workflowId: string, from: string, to: string): ExchangeStatus {
  return {
    id: workflowId.replace(/^exchange:/, ''),
    from,
    to,
    state: 'submitted',
    step: 'link',
    question: null,
    answer: null,
    approvals: [],
    startedAt: new Date().toISOString(),
  };
}

/** The answer from the target's session. */
export const exchangeAnswerSignal = defineSignal<[ExchangeAnswer]>('exchangeAnswer');

/** The exchange's status. */
export const exchangeStatusQuery = defineQuery<ExchangeStatus>('exchangeStatus');
