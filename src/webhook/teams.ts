// The Teams edge: every Teams request passes it before the click inbox or the Chat SDK sees it. In
// Playground mode, the request must come from this machine (403); the body must be a well-formed
// activity (400), parsed here once; in production its Bot Framework token must be valid for it
// (401), or 503 when the signing keys cannot be fetched right now (Teams retries), and a click must
// name its tenant in `conversation.tenantId`, the only tenant we trust. An approval click is read
// here, from that one parse, into a ClickRead (identity and reason box included) and authenticated
// (production: the token above; Playground: its marker); nothing after the edge reads the body.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import { hasCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import { approvalActionIds } from '../chat/card-buttons.ts';
import { reasonInputId } from '../chat/platform-cards.ts';
import { isPlaygroundActivity, playgroundRefusal } from './auth/playground.ts';
import type { BotFrameworkVerifier } from './auth/teams.ts';
import { teamsIdentity } from '../chat/identity.ts';
import type { ClickRead } from './inbox/clicks.ts';
import { parseTeamsActivity, type TeamsActivity } from './teams-activity.ts';

/** An answer an edge gives instead of passing the request on. */
export interface Refusal {
  status: 400 | 401 | 403 | 503;
  error: string;
  message?: string;
}

/**
 * What an edge made of a request whose body was read: refused; an authenticated approval click;
 * or anything else (`click: null`), for the Chat SDK, which verifies it as the adapter does.
 */
export type EdgeResult = { refused: Refusal } | { refused: null; click: ClickRead | null };

/** The Teams edge checks, split by what they need: headers only, or the body too. */
export interface TeamsEdge {
  /** Checks on the connection and headers, before the body is read. */
  checkRequest(req: IncomingMessage): Refusal | null;
  /** Checks on the activity (and its token), once the body is read; reads its click. */
  checkActivity(req: IncomingMessage, body: string): Promise<EdgeResult>;
}

/**
 * Build the edge for the configured Teams mode; `auth` is the platforms' Bot Framework verifier
 * (production mode: set, and every activity's token is checked here).
 */
export function createTeamsEdge(
  config: Config,
  logger: Logger,
  auth: BotFrameworkVerifier | undefined,
): TeamsEdge {
  const playground = config.AIRLOCK_TEAMS_PLAYGROUND;
  const refuse = (refusal: Refusal) => ({ refused: refusal });

  return {
    checkRequest(req) {
      if (!playground) return null;
      const why = playgroundRefusal(req.socket.remoteAddress, req.headers);
      if (!why) return null;
      logger.warn({ reason: why }, 'teams webhook rejected: not a local Playground request');
      return { status: 403, error: 'forbidden', message: why };
    },
    async checkActivity(req, body) {
      const parsed = parseTeamsActivity(body);
      if (!parsed.ok) {
        if (parsed.notJson) return refuse({ status: 400, error: 'invalid_json' });
        logger.warn({ reason: parsed.error }, 'teams webhook rejected: malformed activity');
        return refuse({ status: 400, error: 'invalid_activity', message: parsed.error });
      }
      const { activity } = parsed;
      const click = readTeamsClick(activity);
      if (!auth) {
        // Not production: anything but a click is the adapter's to verify; a click is verified
        // here, by the Playground's marker (the only other mode there is).
        if (!click) return { refused: null, click };
        const headers = {
          marker: headerOf(req, 'x-ms-agents-playground'),
          authorization: req.headers.authorization,
        };
        if (!playground || !isPlaygroundActivity(headers, activity.serviceUrl, logger)) {
          return refuse({ status: 401, error: 'unauthorized' });
        }
        return { refused: null, click };
      }
      try {
        await auth.verifyToken(req.headers.authorization, activity);
      } catch (err) {
        if (hasCode(err, 'teams_keys_unavailable')) {
          return refuse({ status: 503, error: 'auth_unavailable' });
        }
        logger.warn({ err: (err as Error).message }, 'teams webhook rejected: bad token');
        return refuse({ status: 401, error: 'unauthorized' });
      }
      if (!activity.conversation.tenantId && click) {
        logger.warn({ id: activity.id }, 'teams click rejected: no conversation.tenantId');
        return refuse({
          status: 400,
          error: 'invalid_activity',
          message: 'conversation.tenantId missing',
        });
      }
      return { refused: null, click };
    },
  };
}

/** The fields of a Teams activity a click is read from. */
export type ClickActivity = Pick<TeamsActivity, 'type' | 'name' | 'id' | 'from' | 'conversation'> &
  Partial<Pick<TeamsActivity, 'value'>>;

/** The approval click an activity carries, or null when it is not one of our clicks. */
export function readTeamsClick(activity: ClickActivity): ClickRead | null {
  // Action.Submit arrives as a message whose value holds the button's data (and the card's
  // inputs); Action.Execute as an invoke whose value.action.data does.
  const invoke = activity.type === 'invoke' && activity.name === 'adaptiveCard/action';
  if (!invoke && activity.type !== 'message') return null;
  const value = activity.value ?? {};
  const data = invoke ? obj(obj(value['action'])['data']) : value;
  const actionId = data['actionId'];
  if (typeof actionId !== 'string' || !approvalActionIds.includes(actionId)) return null;
  const buttonValue = data['value'];
  return {
    platform: 'teams',
    actionId,
    ...(typeof buttonValue === 'string' ? { value: buttonValue } : {}),
    ...teamsClicker(activity),
    invoke,
  };
}

/** Who clicked (verified activity) and what the reason box held, in a Teams activity. */
export function teamsClicker(activity: ClickActivity): Pick<ClickRead, 'who' | 'reason'> {
  const value = activity.value ?? {};
  // The reason box: Action.Submit puts inputs in `value`, an invoke in `value.action.data`.
  const reason = value[reasonInputId] ?? obj(obj(value['action'])['data'])[reasonInputId];
  return { who: teamsIdentity(activity), reason };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
