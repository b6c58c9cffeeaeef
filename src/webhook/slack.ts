// Recognizing an approval card click in a webhook body without the Chat SDK, parsing the body once
// into the raw activity (Teams) or `payload=` form field (Slack) that decisionFromClick reads, so
// the click can be decided, kept and acknowledged as soon as it is verified: Teams Action.Submit
// messages and adaptiveCard/action invokes, and Slack block_actions, carrying one of our buttons.
// Anything else (and anything malformed) is not a click here and goes through the Chat SDK.
import { approvalActionIds } from '../chat/cards.ts';
import type { ClickEvent } from './inbox/clicks.ts';

/** A recognized click: what decisionFromClick takes, and how the platform wants it answered. */
export interface RecognizedClick extends ClickEvent {
  platform: 'teams' | 'slack';
  /** Teams invokes expect an invoke response body; everything else an empty 200. */
  invoke: boolean;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

/** The click in `body`, or null when it is not one of our approval clicks. */
export function recognizeClick(
  platform: 'teams' | 'slack',
  contentType: string,
  body: string,
): RecognizedClick | null {
  try {
    return platform === 'teams'
      ? recognizeTeamsClick(JSON.parse(body))
      : slackClick(contentType, body);
  } catch {
    return null;
  }
}

/** The click in an already parsed Teams activity, or null when it is not one of our clicks. */
export function recognizeTeamsClick(activity: unknown): RecognizedClick | null {
  const a = obj(activity);
  const value = obj(a['value']);
  // Action.Submit arrives as a message whose value holds the button's data (and the card's
  // inputs); Action.Execute as an invoke whose value.action.data does.
  const invoke = a['type'] === 'invoke' && a['name'] === 'adaptiveCard/action';
  if (!invoke && a['type'] !== 'message') return null;
  const data = invoke ? obj(obj(value['action'])['data']) : value;
  return shape('teams', data['actionId'], data['value'], activity, invoke);
}

function slackClick(contentType: string, body: string): RecognizedClick | null {
  if (!contentType.includes('application/x-www-form-urlencoded')) return null;
  const payload: unknown = JSON.parse(new URLSearchParams(body).get('payload') ?? 'null');
  const p = obj(payload);
  if (p['type'] !== 'block_actions') return null;
  const actions = p['actions'];
  if (!Array.isArray(actions) || actions.length !== 1) return null;
  const action = obj(actions[0]);
  return shape('slack', action['action_id'], action['value'], payload, false);
}

function shape(
  platform: 'teams' | 'slack',
  actionId: unknown,
  value: unknown,
  raw: unknown,
  invoke: boolean,
): RecognizedClick | null {
  if (typeof actionId !== 'string' || !approvalActionIds.includes(actionId)) return null;
  return {
    platform,
    actionId,
    ...(typeof value === 'string' ? { value } : {}),
    raw,
    invoke,
  };
}
