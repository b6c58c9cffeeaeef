// The Slack edge: an approval click (a block_actions interaction on one of our buttons) is read
// from the body's `payload=` form field, parsed here once into a ClickRead (identity and reason box
// included), and its request signature checked (401 otherwise) before anything is kept. Anything
// else, malformed or not a click of ours, goes to the Chat SDK, whose adapter checks the signature.
import { z } from 'zod';
import { approvalActionIds } from '../chat/card-buttons.ts';
import { reasonInputId, slackReasonBlockId } from '../chat/platform-cards.ts';
import type { Who } from '../chat/identity.ts';
import type { ClickRead } from './inbox/clicks.ts';
import type { EdgeResult } from './teams.ts';

// The fields of a Slack block_actions payload a click is read from. Lenient below the top: a field
// of the wrong type reads as absent (no identity, no reason: the click is then ignored, and
// acknowledged) rather than making the click someone else's to handle.
const text = z.string().optional().catch(undefined);
const blockActionsSchema = z.looseObject({
  type: text,
  trigger_id: text,
  user: z
    .looseObject({ id: text, name: text, username: text, team_id: text })
    .optional()
    .catch(undefined),
  team: z.looseObject({ id: text }).optional().catch(undefined),
  actions: z
    .array(
      z
        .looseObject({ action_id: text, value: text, action_ts: text })
        .catch({ action_id: undefined, value: undefined, action_ts: undefined }),
    )
    .optional()
    .catch(undefined),
  state: z
    .looseObject({ values: z.record(z.string(), z.record(z.string(), z.unknown())) })
    .optional()
    .catch(undefined),
});

/** A Slack block_actions payload with the types a click is read from. */
export type BlockActions = z.infer<typeof blockActionsSchema>;

/** Checks a Slack request's signature (the platforms' verifier), true when it holds. */
export type SlackSignature = (request: Request, body: string) => unknown;

/**
 * The Slack edge's check of a request whose body was read: its approval click, authenticated by
 * `verify` (a Request is only built for it when there is a click); anything else passes on.
 */
export async function checkSlackRequest(
  contentType: string,
  body: string,
  request: () => Request,
  verify: SlackSignature | undefined,
): Promise<EdgeResult> {
  const click = parseSlackClick(contentType, body);
  if (!click) return { refused: null, click };
  const verified = await Promise.resolve()
    .then(() => verify?.(request(), body))
    .then(Boolean, () => false);
  return verified ? { refused: null, click } : { refused: { status: 401, error: 'unauthorized' } };
}

/** The click in a Slack interaction body, or null when it is not one of our approval clicks. */
export function parseSlackClick(contentType: string, body: string): ClickRead | null {
  if (!contentType.includes('application/x-www-form-urlencoded')) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(new URLSearchParams(body).get('payload') ?? 'null');
  } catch {
    return null;
  }
  const parsed = blockActionsSchema.safeParse(payload);
  return parsed.success ? readSlackClick(parsed.data) : null;
}

/** The approval click a block_actions payload carries, or null when it is not one of ours. */
export function readSlackClick(payload: BlockActions): ClickRead | null {
  if (payload.type !== 'block_actions' || payload.actions?.length !== 1) return null;
  const action = payload.actions[0];
  const actionId = action?.action_id;
  if (!actionId || !approvalActionIds.includes(actionId)) return null;
  return {
    platform: 'slack',
    actionId,
    ...(action.value !== undefined ? { value: action.value } : {}),
    ...slackClicker(payload),
    invoke: false,
  };
}

/** Who clicked (verified payload) and what the reason box held, in a Slack interaction. */
export function slackClicker(payload: BlockActions): Pick<ClickRead, 'who' | 'reason'> {
  const reasonBox = payload.state?.values[slackReasonBlockId]?.[reasonInputId];
  return {
    who: slackIdentity(payload),
    reason: (reasonBox as { value?: unknown } | undefined)?.value,
  };
}

/** Parse a block_actions payload the Chat SDK handed on (raw), or null. */
export function blockActionsOf(raw: unknown): BlockActions | null {
  const parsed = blockActionsSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

function slackIdentity(payload: BlockActions): Who | null {
  const { user } = payload;
  const userId = str(user?.id);
  // trigger_id is unique per interaction; action_ts is the fallback for payloads without one.
  const interaction = str(payload.trigger_id) ?? str(payload.actions?.[0]?.action_ts);
  if (!userId || !interaction) return null;
  const tenantId = str(user?.team_id) ?? str(payload.team?.id);
  return {
    deliveryId: `slack:${interaction}`,
    identity: {
      platform: 'slack',
      userId,
      displayName: str(user?.name) ?? str(user?.username) ?? userId,
      ...(tenantId ? { tenantId } : {}),
    },
  };
}

const str = (v: string | undefined): string | undefined => (v ? v : undefined);
