// Turns the references in a policy set into what a decision carries: approver selectors into
// deduplicated identities, missing approval settings into the set-wide defaults.
import type { Cards, Settings, User } from './schema.ts';
import type { ApproverRef, CardTargets, PolicySet } from './types.ts';

/** How long an approval waits when neither the rule nor settings.approval.expiry says. */
export const defaultExpiryMs = 3 * 86_400_000;

/** Where cards go when neither the rule nor settings.cards says: Teams direct messages. */
export const defaultCards: CardTargets = { teams: { directMessages: true }, slack: null };

/** Expand users and groups into approvers: users first, then group members, each once. */
export function expandApprovers(
  set: Pick<PolicySet, 'users' | 'groups'>,
  selector: { users: string[]; groups: string[] },
): ApproverRef[] {
  const ids = new Set(selector.users);
  for (const groupId of selector.groups) {
    for (const member of set.groups.find((g) => g.id === groupId)?.members ?? []) ids.add(member);
  }
  const out: ApproverRef[] = [];
  for (const userId of ids) {
    const user = set.users.find((u) => u.id === userId);
    if (user) out.push(approverRef(user));
  }
  return out;
}

function approverRef(user: User): ApproverRef {
  const ref: ApproverRef = { id: user.id, displayName: user.displayName };
  if (user.tenantId !== undefined) ref.tenantId = user.tenantId;
  if (user.aadObjectId !== undefined) ref.aadObjectId = user.aadObjectId;
  if (user.teamsUserId !== undefined) ref.teamsUserId = user.teamsUserId;
  if (user.slackUserId !== undefined) ref.slackUserId = user.slackUserId;
  if (user.email !== undefined) ref.email = user.email;
  return ref;
}

/** The card targets for an approval: its own, else the set's, else Teams direct messages. */
export function effectiveCards(settings: Settings, cards: Cards | undefined): CardTargets {
  const chosen = cards ?? settings.cards;
  if (!chosen) return structuredClone(defaultCards);
  return {
    teams: chosen.teams ? structuredClone(chosen.teams) : null,
    slack: chosen.slack ? structuredClone(chosen.slack) : null,
  };
}

/** The expiry of an approval: its own, else the set's, else three days; always deny. */
export function effectiveExpiryMs(settings: Settings, expiry: { after: number } | undefined) {
  return expiry?.after ?? settings.approval?.expiry?.after ?? defaultExpiryMs;
}

/** The reminder interval of an approval: its own, else the set's, else none. */
export function effectiveReminderMs(settings: Settings, remindEvery: number | undefined) {
  return remindEvery ?? settings.approval?.remindEvery ?? null;
}
