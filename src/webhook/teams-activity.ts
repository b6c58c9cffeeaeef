// The shape a Teams activity must have before the Teams SDK sees it. The SDK trusts the types of the
// fields it reads (`conversation.id.split`, `from.id`, `entities[].mentioned.id`…), so a body with a
// number where a string belongs raised a TypeError inside the adapter and answered 500. Checked
// here once, at the edge, so a malformed body is a clear 400. Unknown fields are allowed: Teams
// adds fields over time, and only the ones the SDK reads need a type.
import { z } from 'zod';

const text = z.string();
const id = z.string().min(1);
const account = z.looseObject({
  id,
  name: text.optional(),
  aadObjectId: text.optional(),
  role: text.optional(),
});
const idOnly = z.looseObject({ id: text });
const entity = z.looseObject({
  type: text,
  mentioned: z.looseObject({ id: text, name: text.optional() }).optional(),
  text: text.optional(),
});
const attachment = z.looseObject({
  contentType: text,
  contentUrl: text.optional(),
  name: text.optional(),
});
const reaction = z.looseObject({ type: text });

/** What the Teams adapter and Airlock read from an incoming activity, with its types. */
export const teamsActivitySchema = z.looseObject({
  type: id,
  id: text.optional(),
  channelId: id,
  serviceUrl: z.url(),
  timestamp: text.optional(),
  localTimestamp: text.optional(),
  name: text.optional(),
  text: text.optional(),
  textFormat: text.optional(),
  locale: text.optional(),
  replyToId: text.optional(),
  from: account,
  recipient: account.optional(),
  conversation: z.looseObject({
    id,
    tenantId: text.optional(),
    conversationType: text.optional(),
    isGroup: z.boolean().optional(),
    name: text.optional(),
  }),
  // Action.Submit data and invoke payloads are objects; anything else is not a click we read.
  value: z.record(z.string(), z.unknown()).optional(),
  entities: z.array(entity).optional(),
  attachments: z.array(attachment).optional(),
  reactionsAdded: z.array(reaction).optional(),
  reactionsRemoved: z.array(reaction).optional(),
  membersAdded: z.array(account).optional(),
  membersRemoved: z.array(account).optional(),
  channelData: z
    .looseObject({
      tenant: idOnly.optional(),
      channel: idOnly.optional(),
      team: idOnly.optional(),
      eventType: text.optional(),
      teamsChannelId: text.optional(),
      teamsTeamId: text.optional(),
      legacy: z.looseObject({ replyToId: text.optional() }).optional(),
      source: z.looseObject({ name: text.optional() }).optional(),
    })
    .optional(),
});

/** A Teams activity whose fields have the types the SDK expects. */
export type TeamsActivity = z.infer<typeof teamsActivitySchema>;

/**
 * Parse a Teams webhook body: the activity, or a short description of what is wrong with it
 * (`notJson`: not even JSON).
 */
export function parseTeamsActivity(
  body: string,
): { ok: true; activity: TeamsActivity } | { ok: false; error: string; notJson?: true } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'body is not JSON', notJson: true };
  }
  const result = teamsActivitySchema.safeParse(json);
  if (result.success) return { ok: true, activity: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'activity';
  return { ok: false, error: `${where}: ${issue?.message ?? 'invalid'}` };
}

const clickActivitySchema = teamsActivitySchema.pick({
  type: true,
  name: true,
  id: true,
  from: true,
  conversation: true,
  value: true,
});

/** The fields a click is read from, of an activity the Chat SDK handed on, or null. */
export function clickActivityOf(raw: unknown): z.infer<typeof clickActivitySchema> | null {
  const parsed = clickActivitySchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
