// The A2A request handler for one Airlock agent: `SendMessage` starts an agentExchangeWorkflow
// asked by the calling client (`a2a:<client>`) and `GetTask` reads it back, so the task lives in
// Temporal (durable, approvals and all), not in the A2A server's memory. Text parts only;
// streaming, cancellation and listing are refused; push notifications are refused with their own
// error (-32003), a push config inside SendMessage too. Context ids are minted by the server
// (contexts.ts), and a client has only so many tasks open at once (limits.ts).
import type { AgentCard, Message, Task } from '@a2a-js/sdk';
import {
  ContentTypeNotSupportedError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config.ts';
import { a2aAsker } from '../../workflows/agent-exchange/ids.ts';
import { FromAgent, ToAgent } from '../../workflows/agent-exchange/search.ts';
import {
  exchangeStatusQuery,
  startingStatus,
  type ExchangeStatus,
} from '../../workflows/agent-exchange/messages.ts';
import type { ExchangeInput } from '../../workflows/agent-exchange/types.ts';
import type { agentExchangeWorkflow } from '../../workflows/agent-exchange/workflow.ts';
import type { ContextIds } from './contexts.ts';
import type { OpenTasks } from './limits.ts';
import { isTaskId, taskIdOf, taskState, taskWorkflowId, toTask } from './tasks.ts';

/** What the handler needs. */
export interface AgentHandlerDeps {
  client: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
  /** The agent this handler speaks for, its public card and a client's extended card. */
  agent: string;
  card: AgentCard;
  extendedCard: (client: string) => AgentCard;
  /** How long SendMessage waits for the exchange to leave `submitted` (a refusal is that fast). */
  settleMs?: number;
  /** Mints the context of a new conversation and checks one a client sends. */
  contexts: ContextIds;
  /** The cap on each client's open tasks. */
  openTasks: OpenTasks;
}

/** The authenticated client of a call (set by the server). */
export const clientOf = (context: ServerCallContext): string => {
  const user = context.user;
  if (!user?.isAuthenticated) throw new RequestMalformedError('not authenticated');
  return user.userName;
};

/** Build the request handler for one agent. */
export function agentHandler(deps: AgentHandlerDeps): A2ARequestHandler {
  const { client, agent, card } = deps;
  const refuse = (what: string) => () => {
    throw new UnsupportedOperationError(`${what} is not supported: send a message, then GetTask`);
  };
  const noPush = () => {
    throw new PushNotificationNotSupportedError(
      'push notifications are not supported: poll GetTask until the task ends',
    );
  };

  /** The task, read from the exchange: its result once closed, its status query while running. */
  async function readTask(asker: string, taskId: string): Promise<Task> {
    const handle = client.workflow.getHandle<typeof agentExchangeWorkflow>(
      taskWorkflowId(asker, taskId),
    );
    const described = await handle.describe().catch((err: unknown) => {
      if ((err as { name?: string }).name === 'WorkflowNotFoundError')
        throw new TaskNotFoundError(`no task ${taskId}`);
      throw err;
    });
    const memo = described.memo?.['a2aContextId'];
    const contextId = typeof memo === 'string' ? memo : taskId;
    const status = await exchangeStatus(handle, described.status.name);
    if (status.to !== agent) throw new TaskNotFoundError(`no task ${taskId}`);
    return toTask(asker, taskId, contextId, status);
  }

  async function exchangeStatus(
    handle: ReturnType<Client['workflow']['getHandle']>,
    closed: string,
  ): Promise<ExchangeStatus> {
    if (closed === 'RUNNING') return handle.query(exchangeStatusQuery);
    if (closed === 'COMPLETED') return (await handle.result()) as ExchangeStatus;
    // Terminated, timed out or failed outside its own logic: no answer, and say so.
    return {
      ...(await handle
        .query(exchangeStatusQuery)
        .catch(() => startingStatus(handle.workflowId, '', agent))),
      answer: null,
      state: closed === 'CANCELLED' ? 'canceled' : 'failed',
      reason: `the exchange was ${closed.toLowerCase()}`,
    };
  }

  return {
    getAgentCard: () => Promise.resolve(card),
    getAuthenticatedExtendedAgentCard: (_params, context) =>
      Promise.resolve(deps.extendedCard(clientOf(context))),
    sendMessageStream: refuse('streaming'),
    resubscribe: refuse('streaming'),
    cancelTask: refuse('cancelling'),
    listTasks: refuse('listing tasks'),
    createTaskPushNotificationConfig: noPush,
    getTaskPushNotificationConfig: noPush,
    listTaskPushNotificationConfigs: noPush,
    deleteTaskPushNotificationConfig: noPush,

    async sendMessage(params, context): Promise<Message | Task> {
      const asker = clientOf(context);
      const message = params.message;
      if (!message?.messageId) throw new RequestMalformedError('a message with a messageId');
      // A callback the client would wait for, and never get: refused rather than ignored.
      if (params.configuration?.taskPushNotificationConfig) noPush();
      if (message.taskId)
        throw new UnsupportedOperationError(
          'one question per task: send a new message without taskId to ask again',
        );
      const texts = message.parts.map((p) =>
        p.content?.$case === 'text' ? p.content.value : null,
      );
      if (texts.length === 0 || texts.some((t) => t === null))
        throw new ContentTypeNotSupportedError(
          'only text parts are accepted (no files, data or URLs cross to an Airlock agent)',
        );
      const taskId = taskIdOf(asker, message.messageId);
      // The context (which names the session grants are keyed on) is the server's: a new one for a
      // new conversation, or one this server minted for this very client.
      if (message.contextId && !deps.contexts.owns(asker, message.contextId))
        throw new RequestMalformedError(
          'contextId was not issued to you by this server: send without one to start a conversation, then reuse the contextId its task carries',
        );
      const contextId = message.contextId || deps.contexts.mint(asker, taskId);
      const workflowId = taskWorkflowId(asker, taskId);
      const input: ExchangeInput = {
        from: a2aAsker(asker),
        to: agent,
        // No asker session: the task stands in for it (cards show it, session grants key on it).
        askerSessionWorkflowId: `a2a:${asker}/tasks/${taskId}`,
        askerSessionId: `a2a:${asker}:${contextId}`,
        conversation: `A2A client ${asker}`,
        question: texts.join('\n'),
        requester: null,
      };
      const start = async (): Promise<void> => {
        try {
          await client.workflow.start<typeof agentExchangeWorkflow>('agentExchangeWorkflow', {
            taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
            workflowId,
            args: [input],
            memo: { a2aContextId: contextId },
            typedSearchAttributes: [
              { key: FromAgent, value: a2aAsker(asker) },
              { key: ToAgent, value: agent },
            ],
            staticSummary: `A2A client ${asker} asks ${agent}`,
          });
        } catch (err) {
          // A retried send (same messageId): the task it started already.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      };
      if (!(await deps.openTasks.admit(asker, workflowId, start)))
        throw new UnsupportedOperationError(
          'too many open tasks: wait until one of yours ends (GetTask shows when), then ask again',
        );
      const pending = toTask(asker, taskId, contextId, startingStatus(workflowId, '', agent));
      if (params.configuration?.returnImmediately) return pending;
      return settle(asker, taskId, pending, deps.settleMs ?? 3_000);
    },

    async getTask(params, context): Promise<Task> {
      const asker = clientOf(context);
      if (!isTaskId(params.id)) throw new TaskNotFoundError(`no task ${params.id}`);
      return readTask(asker, params.id);
    },
  };

  // Wait briefly for the first step (the link check), so a refusal comes back at once.
  async function settle(asker: string, taskId: string, pending: Task, ms: number): Promise<Task> {
    const deadline = Date.now() + ms;
    for (;;) {
      const task = await readTask(asker, taskId).catch(() => null);
      if (task && task.status?.state !== taskState('submitted')) return task;
      if (Date.now() > deadline) return task ?? pending;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
