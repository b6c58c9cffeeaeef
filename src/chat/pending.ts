// Cards for people who arrive late (back from leave, or a Playground that keeps no history): when
// someone opens or writes to a chat with the bot, find the pending requests they may decide (by
// the ApproverKeys search attribute each pending request publishes) and ask each to show its card
// there. The request's workflow checks again that they may decide and posts the card, so it is a
// copy like any other and is finalized with the rest.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../log.ts';
import {
  showCardSignal,
  type ApproverIdentity,
  type ShowCardTarget,
} from '../../workflows/sensitive-action/messages.ts';
import { teamsIdentityOf } from './identity.ts';

/** Someone who opened or wrote to a chat with the bot, and where. */
export interface Arrival {
  /** Unique per event (the platform's activity or event id). */
  id: string;
  person: ApproverIdentity;
  target: ShowCardTarget;
  /** Show cards already in this conversation again (they asked, or the client keeps no history). */
  again: boolean;
}

/** What an arrival led to: cards asked for, and pending requests past the limit. */
export interface Shown {
  shown: number;
  more: number;
}

/** Finds the requests an arriving person may decide and asks each to show its card. */
export type ShowPending = (arrival: Arrival) => Promise<Shown>;

/** Options of the pending-card finder. */
export interface PendingOptions {
  client: () => Promise<Client> | Client;
  logger: Logger;
  /** Most cards shown for one arrival (default 10); the rest are counted in `more`. */
  limit?: number;
  /** How long one lookup may take before it gives up (ms, default 10 000). */
  timeoutMs?: number;
}

/** The search key a pending request publishes for this person, or null when they have none. */
export function personKey(person: ApproverIdentity): string | null {
  const id = person.platform === 'teams' ? person.aadObjectId : person.userId;
  // Keys go into a visibility query between single quotes: anything else is refused.
  if (!id || !/^[A-Za-z0-9._:@-]{1,128}$/.test(id)) return null;
  return `${person.platform}:${id}`;
}

/** Create the finder. */
export function createShowPending(options: PendingOptions): ShowPending {
  const limit = options.limit ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (arrival) => {
    const key = personKey(arrival.person);
    if (!key) return { shown: 0, more: 0 };
    const client = await options.client();
    // Bounded: while Temporal is unreachable the SDK would retry the lookup for a long time.
    return client.connection.withDeadline(Date.now() + timeoutMs, () =>
      lookUp(client, key, arrival),
    );
  };

  async function lookUp(client: Client, key: string, arrival: Arrival): Promise<Shown> {
    // Running only: a run that ended without updating its state (terminated, timed out) is not
    // pending, whatever its last ApprovalState says.
    const query = `ExecutionStatus = 'Running' AND ApprovalState = 'pending' AND ApproverKeys = '${key}'`;
    let shown = 0;
    let more = 0;
    for await (const run of client.workflow.list({ query })) {
      if (shown >= limit) {
        more++;
        continue;
      }
      await client.workflow
        .getHandle(run.workflowId)
        .signal(showCardSignal, {
          requestId: `${arrival.id}:${run.workflowId}`,
          person: arrival.person,
          target: arrival.target,
          again: arrival.again,
        })
        .then(
          () => shown++,
          (err: unknown) =>
            // A request decided a moment ago is gone by now: nothing to show.
            err instanceof WorkflowNotFoundError
              ? undefined
              : options.logger.warn({ err, workflowId: run.workflowId }, 'could not show a card'),
        );
    }
    options.logger.info(
      { person: arrival.person.displayName, shown, more, again: arrival.again },
      'showed pending approvals to someone who arrived',
    );
    return { shown, more };
  }
}

/** Words that ask the bot what is waiting ("pending", "what's waiting for me?"). */
export function asksForPending(text: string): boolean {
  return /^\s*(?:@\S+\s+)?(?:pending|what'?s\s+(?:waiting|pending)(?:\s+for\s+me)?)\s*[?.!]*\s*$/i.test(
    text,
  );
}

/** The arrival a Teams activity (installationUpdate or message) stands for, or null. */
export function teamsArrival(raw: unknown, again: boolean): Arrival | null {
  const who = teamsIdentityOf(raw);
  const activity = raw as {
    serviceUrl?: unknown;
    conversation?: { id?: unknown; conversationType?: unknown };
  } | null;
  const conversationId = activity?.conversation?.id;
  const serviceUrl = activity?.serviceUrl;
  if (!who || typeof conversationId !== 'string' || typeof serviceUrl !== 'string') return null;
  const type = activity?.conversation?.conversationType;
  return {
    id: who.deliveryId,
    person: who.identity,
    target: {
      platform: 'teams',
      conversationId,
      serviceUrl,
      ...(type === 'personal' || type === 'groupChat' || type === 'channel'
        ? { conversationType: type }
        : {}),
    },
    again,
  };
}

/** The arrival a Slack message event stands for (its sender, in its channel), or null. */
export function slackArrival(raw: unknown, again: boolean): Arrival | null {
  const event = raw as { user?: unknown; channel?: unknown; team?: unknown; ts?: unknown } | null;
  const { user, channel, team, ts } = event ?? {};
  if (typeof user !== 'string' || typeof channel !== 'string') return null;
  return {
    id: `slack:${channel}:${typeof ts === 'string' ? ts : ''}`,
    person: {
      platform: 'slack',
      userId: user,
      displayName: user,
      ...(typeof team === 'string' ? { tenantId: team } : {}),
    },
    target: { platform: 'slack', conversationId: channel },
    again,
  };
}
