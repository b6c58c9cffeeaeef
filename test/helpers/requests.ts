// Action requests the tests build again and again: the demo policy's refund by support-bot.
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';

/** The demo policy's refund by support-bot with `body`; `extra` adds or overrides fields. */
export function refundRequest(body: unknown, extra: Partial<ActionRequest> = {}): ActionRequest {
  return {
    agent: 'support-bot',
    capability: 'refunds-api',
    method: 'POST',
    path: '/refunds',
    body,
    ...extra,
  };
}
