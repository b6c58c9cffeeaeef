// The checks every Teams request passes in the webhook server before the Chat SDK (or the click
// inbox) sees it: in Playground mode, that it comes from this machine; then that the body is a
// well-formed activity (400 otherwise); in production, that its Bot Framework token is valid for
// it (401), or 503 when the signing keys cannot be fetched right now (Teams retries), and that a
// click names its tenant in `conversation.tenantId`, the only tenant we trust.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import { hasCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import { parseTeamsActivity, type TeamsActivity } from './teams-activity.ts';
import { recognizeTeamsClick, type RecognizedClick } from './slack.ts';
import { playgroundRefusal } from './auth/playground.ts';
import type { BotFrameworkVerifier } from './auth/teams.ts';

/** An answer the edge gives instead of passing the request on. */
export interface Refusal {
  status: 400 | 401 | 403 | 503;
  error: string;
  message?: string;
}

/** A Teams activity that passed the edge: parsed once, here, for everything after it. */
export interface CheckedActivity {
  activity: TeamsActivity;
  /** The approval click it carries (recognizeTeamsClick), or null. */
  click: RecognizedClick | null;
  /** Its Bot Framework token was verified for it here (production mode). */
  authenticated: boolean;
}

/** The Teams edge checks, split by what they need: headers only, or the body too. */
export interface TeamsEdge {
  /** Checks on the connection and headers, before the body is read. */
  checkRequest(req: IncomingMessage): Refusal | null;
  /** Checks on the activity (and its token), once the body is read. */
  checkActivity(
    req: IncomingMessage,
    body: string,
  ): Promise<{ refused: Refusal } | { refused: null; checked: CheckedActivity }>;
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
      const click = recognizeTeamsClick(activity);
      if (!auth) return { refused: null, checked: { activity, click, authenticated: false } };
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
      return { refused: null, checked: { activity, click, authenticated: true } };
    },
  };
}
