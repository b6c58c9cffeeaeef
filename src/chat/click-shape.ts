// Recognizing an approval card click in a webhook body without the Chat SDK, cheaply, so it can be
// acknowledged as soon as it is verified and durable: Teams Action.Submit messages and
// adaptiveCard/action invokes, and Slack block_actions, carrying one of our buttons. Anything else
// (and anything malformed) is not a click here and goes through the Chat SDK as usual.
import { approvalActionIds, parseButtonValue } from './cards.ts';

/** What the webhook needs to keep a click: the workflow it names and the delivery's id. */
export interface ClickShape {
  workflowId: string;
  /** Same as the decision id decisionFromClick gives it (a redelivery carries the same one). */
  deliveryId: string;
  /** Teams invokes expect an invoke response body; everything else an empty 200. */
  invoke: boolean;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The click in `body`, or null when it is not one of our approval clicks. */
export function recognizeClick(
  platform: 'teams' | 'slack',
  contentType: string,
  body: string,
): ClickShape | null {
  try {
    return platform === 'teams' ? teamsClick(body) : slackClick(contentType, body);
  } catch {
    return null;
  }
}

function teamsClick(body: string): ClickShape | null {
  const activity = obj(JSON.parse(body));
  const value = obj(activity['value']);
  const invoke = activity['type'] === 'invoke' && activity['name'] === 'adaptiveCard/action';
  const data = invoke ? obj(obj(value['action'])['data']) : value;
  if (!invoke && activity['type'] !== 'message') return null;
  const id = str(activity['id']);
  return id ? shape(data['actionId'], data['value'], `teams:${id}`, invoke) : null;
}

function slackClick(contentType: string, body: string): ClickShape | null {
  if (!contentType.includes('application/x-www-form-urlencoded')) return null;
  const payload = obj(JSON.parse(new URLSearchParams(body).get('payload') ?? 'null'));
  if (payload['type'] !== 'block_actions') return null;
  const actions = payload['actions'];
  if (!Array.isArray(actions) || actions.length !== 1) return null;
  const action = obj(actions[0]);
  const id = str(payload['trigger_id']) ?? str(action['action_ts']);
  return id ? shape(action['action_id'], action['value'], `slack:${id}`, false) : null;
}

function shape(
  actionId: unknown,
  value: unknown,
  deliveryId: string,
  invoke: boolean,
): ClickShape | null {
  if (typeof actionId !== 'string' || !approvalActionIds.includes(actionId)) return null;
  const button = parseButtonValue(value);
  return button ? { workflowId: button.workflowId, deliveryId, invoke } : null;
}
