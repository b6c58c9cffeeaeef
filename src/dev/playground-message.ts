// A Teams message activity exactly as the Agents Playground delivers it to the webhook, for people
// other than the Playground's current user (its API only sends as Alice): the demo speaks as Riley
// with it, and tests as anyone. Answers go back through the Playground's connector (the activity's
// serviceUrl) into its conversation.
import { randomUUID } from 'node:crypto';

/** The Playground's bot. */
export const playgroundBot = { id: '00000000-0000-0000-0000-00000000b071', name: 'Airlock' };

/** The Playground's tenant. */
export const playgroundTenant = '00000000-0000-0000-0000-0000000000aa';

/** A Playground user (see src/dev/playground-users.yml). */
export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
}

/** Post `text` from `user` to the Teams webhook at `webhookUrl`; returns its status and the id. */
export async function sendTeamsMessage(input: {
  webhookUrl: string;
  playgroundPort: number;
  user: PlaygroundUser;
  conversation: { id: string; type: 'personal' | 'groupChat' };
  text: string;
}): Promise<{ status: number; id: string }> {
  const id = randomUUID();
  const group = input.conversation.type !== 'personal';
  const bot = playgroundBot;
  const res = await fetch(`${input.webhookUrl}/api/webhooks/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ms-agents-playground': 'true' },
    body: JSON.stringify({
      type: 'message',
      id,
      serviceUrl: `http://localhost:${input.playgroundPort}/_connector`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      from: input.user,
      conversation: {
        isGroup: group,
        conversationType: input.conversation.type,
        tenantId: playgroundTenant,
        id: input.conversation.id,
      },
      recipient: bot,
      ...(group
        ? { entities: [{ type: 'mention', mentioned: bot, text: `<at>${bot.name}</at>` }] }
        : {}),
      channelData: { tenant: { id: playgroundTenant } },
      text: group ? `<at>${bot.name}</at> ${input.text}` : input.text,
      textFormat: 'plain',
    }),
  });
  await res.text();
  return { status: res.status, id };
}
