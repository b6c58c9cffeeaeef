// The card sender used when no chat surface is configured: approval requests fail loudly (the
// run shows why in the Temporal UI) instead of waiting for a card nobody will ever see.
import { ApplicationFailure } from '@temporalio/common';
import type { ApprovalCardSender } from '../../activities/actions.ts';

/** Refuses to post: configure Teams (or the local Playground) or Slack. */
export const noChatSurface: ApprovalCardSender = {
  plan: () =>
    Promise.reject(
      ApplicationFailure.nonRetryable(
        'no chat surface is configured to post approval cards',
        'chat_unconfigured',
      ),
    ),
  post: () => Promise.reject(new Error('unreachable: plan refuses first')),
  update: () => Promise.resolve(),
};
