// Which policy user a person is, from whatever ids a chat platform or the CLI gave for them. One
// definition for the action activities (self-approval is checked per policy user, so on any
// platform) and the chat webhook (the policy user a message to an agent comes from).
import type { User } from './schema.ts';

/** The ids a person arrives with (a requester, a chat sender). */
export interface PersonIds {
  platform?: string;
  userId?: string;
  aadObjectId?: string;
  /** The policy user already resolved (an operator's `--as`); used when the policy has them. */
  policyUserId?: string;
}

/**
 * The policy user `person` is: matched by any id the policy knows for them (Teams AAD object id or
 * user id, Slack user id, policy user id, email), so one person is one user everywhere; else null.
 */
export function policyUserOf(users: User[], person: PersonIds | undefined): string | null {
  if (!person) return null;
  const { platform, userId, aadObjectId, policyUserId } = person;
  if (policyUserId !== undefined && users.some((u) => u.id === policyUserId)) return policyUserId;
  const lower = userId?.toLowerCase();
  const found = users.find(
    (u) =>
      (aadObjectId !== undefined && u.aadObjectId === aadObjectId) ||
      (userId !== undefined &&
        ((platform === 'slack' && u.slackUserId === userId) ||
          (platform === 'teams' && (u.teamsUserId === userId || u.aadObjectId === userId)) ||
          u.id === userId ||
          (u.email !== undefined && u.email.toLowerCase() === lower))),
  );
  return found?.id ?? null;
}
