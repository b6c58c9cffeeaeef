// The approval card in each platform's own format, carrying what the Chat SDK's card model cannot:
// a text box for the approver's reason. Teams gets the Adaptive Card the SDK renders plus an
// Input.Text that Reject requires and the approve buttons ignore; Slack gets the SDK's Block Kit
// plus an input block, whose text arrives with the click in `state.values`.
import { cardToAdaptiveCard } from '@chat-adapter/teams';
import { cardToBlockKit, cardToFallbackText } from '@chat-adapter/slack';
import { reasonMaxLength } from '../../workflows/sensitive-action/messages.ts';
import { escapeSlack, escapeTeams } from './card-text.ts';
import { buildApprovalCard, cardTitle, INSTRUCTION_MARK, type ApprovalCardModel } from './cards.ts';
import { rejectActionId } from './card-buttons.ts';

/** Id of the reason input on both platforms (Adaptive Card input id, Slack action_id). */
export const reasonInputId = 'reason';
/** Block id of Slack's reason input block. */
export const slackReasonBlockId = 'airlock_reason';

type Json = Record<string, unknown>;

/** The Adaptive Card for `model`, with the reason box on a pending card. */
export function teamsApprovalCard(model: ApprovalCardModel): Json {
  const card = JSON.parse(
    JSON.stringify(cardToAdaptiveCard(buildApprovalCard(model, { escape: escapeTeams }))),
  ) as Json;
  const body = (card['body'] ?? []) as Json[];
  // The sentences that tell the reader to act stand out in the attention colour.
  for (const block of body) {
    const text = block['text'];
    if (block['type'] === 'TextBlock' && typeof text === 'string')
      if (text.startsWith(`${INSTRUCTION_MARK}“`)) block['color'] = 'attention';
  }
  card['body'] = body;
  if (model.state !== 'pending') return card;
  body.push({
    type: 'Input.Text',
    id: reasonInputId,
    label: 'Reason (required to reject; the requester sees it)',
    placeholder: 'Why are you rejecting this?',
    isMultiline: true,
    maxLength: reasonMaxLength,
    isRequired: true,
    errorMessage: 'Type a reason to reject.',
  });
  card['body'] = body;
  // Only Reject validates and sends the box; approving needs no reason.
  card['actions'] = ((card['actions'] ?? []) as Json[]).map((action) => ({
    ...action,
    associatedInputs:
      (action['data'] as Json | undefined)?.['actionId'] === rejectActionId ? 'auto' : 'none',
  }));
  return card;
}

/** Slack blocks and notification text for `model`, with the reason box on a pending card. */
export function slackApprovalBlocks(model: ApprovalCardModel): { blocks: Json[]; text: string } {
  const card = buildApprovalCard(model, { escape: escapeSlack });
  const blocks = cardToBlockKit(card) as Json[];
  // The header is plain_text, which Slack shows as typed: it gets the unescaped title.
  const header = blocks.find((b) => b['type'] === 'header');
  if (header) header['text'] = { type: 'plain_text', text: cardTitle(model), emoji: false };
  if (model.state === 'pending') {
    const at = blocks.findIndex((b) => b['type'] === 'actions');
    blocks.splice(at < 0 ? blocks.length : at, 0, {
      type: 'input',
      block_id: slackReasonBlockId,
      optional: true,
      label: { type: 'plain_text', text: 'Reason (needed to reject; the requester sees it)' },
      element: {
        type: 'plain_text_input',
        action_id: reasonInputId,
        multiline: true,
        max_length: reasonMaxLength,
      },
    });
  }
  return { blocks, text: cardToFallbackText(card) };
}
