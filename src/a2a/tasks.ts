// An exchange as an A2A Task. The exchange's states are A2A task states already; a pending
// approval is `working` (the client has nothing to add: a person decides), never
// `input-required`. Only a completed exchange carries its sanitized answer, as a text artifact
// and the status message; any other end carries the reason only, without the approver's name
// (an outside client learns that a person did not approve, not who).
import { createHash } from 'node:crypto';
import { Role, TaskState, type Message, type Part, type Task } from '@a2a-js/sdk';
import { a2aAsker, exchangeWorkflowId } from '../../workflows/agent-exchange/ids.ts';
import type {
  ExchangeState,
  ExchangeStatus,
  ExchangeStep,
} from '../../workflows/agent-exchange/messages.ts';

const states: Record<ExchangeState, TaskState> = {
  submitted: TaskState.TASK_STATE_SUBMITTED,
  working: TaskState.TASK_STATE_WORKING,
  completed: TaskState.TASK_STATE_COMPLETED,
  rejected: TaskState.TASK_STATE_REJECTED,
  canceled: TaskState.TASK_STATE_CANCELED,
  failed: TaskState.TASK_STATE_FAILED,
};

const steps: Record<ExchangeStep, string> = {
  link: 'checking the policy link',
  'question-approval': 'waiting for a person to approve the question',
  delivery: 'handing the question to the agent',
  answering: 'the agent is answering',
  'answer-approval': 'waiting for a person to approve the answer',
  done: 'answered',
};

/** The A2A task state of an exchange state. */
export const taskState = (state: ExchangeState): TaskState => states[state];

/**
 * The task id of a client's message: derived from its messageId, so a retried send finds the
 * same exchange instead of asking twice.
 */
export function taskIdOf(client: string, messageId: string): string {
  return createHash('sha256').update(`${client}\n${messageId}`).digest('hex').slice(0, 32);
}

/** A task id a client may name (what taskIdOf makes). */
export const isTaskId = (id: string): boolean => /^[0-9a-f]{32}$/.test(id);

/** The exchange's workflow id of a client's task: the client is part of it, so no other reads it. */
export const taskWorkflowId = (client: string, taskId: string): string =>
  exchangeWorkflowId(`a2a.${client}.${taskId}`);

/** A plain-text part of an A2A message. */
export function textPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: 'text/plain',
  };
}

/** An agent's text message of a task. */
export function agentMessage(taskId: string, contextId: string, text: string, n = 0): Message {
  return {
    messageId: `${taskId}-${n}`,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The A2A Task of an exchange's status (asked by `client` in `contextId`). */
export function toTask(
  client: string,
  taskId: string,
  contextId: string,
  status: ExchangeStatus,
): Task {
  const done = status.state === 'completed' && status.answer !== null;
  const text = done
    ? status.answer!.text
    : status.state === 'submitted' || status.state === 'working'
      ? `${status.to}: ${steps[status.step]}`
      : `${status.to} did not answer: ${outsideReason(status.reason ?? status.state)}`;
  return {
    id: taskId,
    contextId,
    status: {
      state: taskState(status.state),
      message: agentMessage(taskId, contextId, text),
      timestamp: status.endedAt ?? new Date().toISOString(),
    },
    artifacts: done
      ? [
          {
            artifactId: `${taskId}-answer`,
            name: 'answer',
            description: `${status.to}'s answer, sanitized and approved`,
            parts: agentMessage(taskId, contextId, text).parts,
            metadata: undefined,
            extensions: [],
          },
        ]
      : [],
    history: [],
    metadata: {
      airlock: {
        exchange: exchangeWorkflowId(status.id),
        asker: a2aAsker(client),
        step: status.step,
      },
    },
  };
}

/**
 * An exchange's reason as an outside client reads it. A rejection reads `<what> was not approved:
 * Rejected by <name> at <hh:mm> UTC: <why> (<why>)` (the outcome line, then the typed reason
 * again); the client gets `<what> was not approved: <why>`, once and without the name. Any
 * sanitizer note after it stays. Other reasons name no approver and pass as they are.
 */
export function outsideReason(reason: string): string {
  const m = /^(.*? was not approved): Rejected by .*? at (?:\d{1,2}:\d{2})?(?: UTC)?(.*)$/s.exec(
    reason,
  );
  if (!m) return reason;
  const [, what, tail = ''] = m;
  const note = /( \[sanitized by Airlock: [^\]]*\])$/.exec(tail)?.[1] ?? '';
  const rest = tail.slice(0, tail.length - note.length);
  if (!rest.startsWith(': ')) return `${what} (no reason given)${note}`;
  const why = rest.slice(2);
  // `<why> (<why>)`: the first half, when the two halves match.
  const half = (why.length - 3) / 2;
  const once = Number.isInteger(half) && why === `${why.slice(0, half)} (${why.slice(0, half)})`;
  return `${what}: ${once ? why.slice(0, half) : why}${note}`;
}
