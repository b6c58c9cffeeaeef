// askExternalAgent: an exchange whose link goes to an external A2A agent is answered here. The
// credential is resolved by name from the vault inside the activity (its secret never enters the
// workflow's history), the question is sent once as a text message, and the task is polled with a
// heartbeat each time; a retried attempt finds the task id in its heartbeat details and polls on
// instead of asking again. Only text crosses, capped before the sanitizer in the workflow sees it.
// Every error or failure text (an HTTP error body, a JSON-RPC error message, a failed task's text)
// is the external agent's words: it leaves this activity only as `agentReason` made it, at the
// link's answer level, so neither the asking agent nor the history ever holds it raw.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  externalClient,
  guardedFetch,
  taskOutcome,
  textMessage,
  textOf,
} from '../src/a2a/outbound.ts';
import { AirlockError } from '../src/errors.ts';
import { agentReason } from '../src/agents/agent-text.ts';
import { redact, secretForms } from '../src/vault/redact.ts';
import type { Level } from '../src/sanitize/types.ts';
import type { CredentialStore } from '../src/vault/types.ts';
import type { AgentExchangeActivities } from '../workflows/agent-exchange/types.ts';

/** What askExternalAgent needs. */
export interface A2AOutboundDeps {
  vault: CredentialStore;
  /** Poll interval (ms); default 1 s. */
  a2aPollMs?: number;
  fetch?: typeof fetch;
}

/** Bytes read of one response from an external agent at most. */
const maxResponseBytes = 1024 * 1024;
/** Time limit of one request to an external agent (ms); below the 30 s heartbeat timeout. */
const requestTimeoutMs = 20_000;
/** Errors that no retry fixes. */
const permanent = new Set([
  'a2a_insecure',
  'a2a_redirect',
  'a2a_too_large',
  'a2a_unauthorized',
  'a2a_no_credential',
  'vault_scope',
]);

/** Build askExternalAgent. */
export function createA2AOutboundActivities(
  deps: A2AOutboundDeps,
): Pick<AgentExchangeActivities, 'askExternalAgent'> {
  return {
    async askExternalAgent({ workflowId, link, question }) {
      const ctx = Context.current();
      const external = link.external;
      if (!external)
        throw ApplicationFailure.nonRetryable(`${link.to} is not an external agent`, 'a2a_no_card');
      const credential = external.credential ? await deps.vault.resolve(external.credential) : null;
      if (external.credential && !credential)
        throw ApplicationFailure.nonRetryable(
          `the vault has no credential "${external.credential}" for ${link.to}`,
          'a2a_no_credential',
        );
      const forms = credential ? secretForms(credential.info, credential.secret) : [];
      // Text is cut well above the link's answer length (the sanitizer still cuts and reports).
      const maxChars = link.answer.maxLength * 4;
      try {
        const fetchImpl = guardedFetch({
          credential: credential ?? null,
          agent: link.from,
          maxBytes: maxResponseBytes,
          timeoutMs: requestTimeoutMs,
          signal: ctx.cancellationSignal,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        });
        const client = await externalClient(external.cardUrl, fetchImpl);
        let taskId = (ctx.info.heartbeatDetails as { taskId?: string } | undefined)?.taskId;
        if (!taskId) {
          // The message id is the exchange's: a resend after a crash is the same message.
          const messageId = createHash('sha256').update(workflowId).digest('hex').slice(0, 32);
          const sent = await client.sendMessage({
            tenant: '',
            message: textMessage(`airlock-${messageId}`, question),
            configuration: undefined,
            metadata: undefined,
          });
          if ('messageId' in sent) {
            // A plain message back is the whole answer.
            return {
              text: textOf(sent.parts, maxChars),
              sessionWorkflowId: `${link.to}/messages/${sent.messageId}`,
              turn: 0,
            };
          }
          taskId = sent.id;
          ctx.heartbeat({ taskId });
          const first = taskOutcome(sent, maxChars);
          if (first.kind !== 'running') return settle(first, taskId);
        }
        for (;;) {
          await ctx.sleep(deps.a2aPollMs ?? 1_000);
          ctx.heartbeat({ taskId });
          const task = await client.getTask({ tenant: '', id: taskId });
          const outcome = taskOutcome(task, maxChars);
          if (outcome.kind !== 'running') return settle(outcome, taskId);
        }
      } catch (err) {
        throw failure(err, forms, link.answer.level);
      }

      function settle(outcome: ReturnType<typeof taskOutcome>, taskId: string) {
        if (outcome.kind === 'answered')
          return { text: outcome.text, sessionWorkflowId: `${link.to}/tasks/${taskId}`, turn: 0 };
        // The reason is the external agent's text: it reaches the asker, so it is sanitized too.
        const reason = agentReason(
          outcome.kind === 'ended' ? outcome.reason : outcome.kind,
          link.answer.level,
        );
        throw ApplicationFailure.nonRetryable(reason, `a2a_${outcome.kind}`);
      }
    },
  };
}

// An error as the workflow sees it: permanent ones are not retried; none carries the secret, and
// its text (which may be the external agent's error body) is sanitized for the asker.
function failure(err: unknown, forms: string[], level: Level): unknown {
  if (err instanceof ApplicationFailure) return err;
  if ((err as { name?: string }).name === 'CancelledFailure') return err;
  const message = agentReason(redact((err as Error).message ?? String(err), forms), level);
  const code =
    err instanceof AirlockError
      ? err.code
      : (err as Error).cause instanceof AirlockError
        ? ((err as Error).cause as AirlockError).code
        : undefined;
  if (code && permanent.has(code)) return ApplicationFailure.nonRetryable(message, code);
  return ApplicationFailure.retryable(message, code ?? 'a2a_unreachable');
}
