// Who a Teams activity comes from, read from the fields its token vouches for: the sender and the
// conversation's tenant. One reading for a click's approver (the webhook's edge, teams.ts) and for
// someone who arrives in a chat (pending.ts), so both name a person the same way.
import { z } from 'zod';
import type { ApproverIdentity } from '../../workflows/sensitive-action/messages.ts';

/** A verified identity and the id of the activity that carried it. */
export interface Who {
  identity: ApproverIdentity;
  /** Unique per activity; a redelivery of the same click carries the same id. */
  deliveryId: string;
}

const text = z.string().optional();
const senderSchema = z.looseObject({
  id: text,
  from: z.looseObject({ id: z.string(), name: text, aadObjectId: text }),
  conversation: z.looseObject({ tenantId: text }),
});

/** The fields of a Teams activity its sender is read from. */
export type TeamsSender = z.infer<typeof senderSchema>;

/** The verified Teams identity of an activity (sender and tenant), or null. */
export function teamsIdentity(activity: TeamsSender): Who | null {
  const userId = str(activity.from.id);
  const activityId = str(activity.id);
  if (!userId || !activityId) return null;
  // Only `conversation.tenantId`: `channelData` is free-form and not what the token vouches for.
  // The webhook's edge refuses a production click without it (webhook/teams.ts).
  const tenantId = str(activity.conversation.tenantId);
  const aadObjectId = str(activity.from.aadObjectId);
  return {
    deliveryId: `teams:${activityId}`,
    identity: {
      platform: 'teams',
      userId,
      displayName: str(activity.from.name) ?? userId,
      ...(aadObjectId ? { aadObjectId } : {}),
      ...(tenantId ? { tenantId } : {}),
    },
  };
}

/** teamsIdentity of an activity the Chat SDK handed on (the edge checked its shape), or null. */
export function teamsIdentityOf(raw: unknown): Who | null {
  const parsed = senderSchema.safeParse(raw);
  return parsed.success ? teamsIdentity(parsed.data) : null;
}

const str = (v: string | undefined): string | undefined => (v ? v : undefined);
