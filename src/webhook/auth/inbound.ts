// The verifiers of inbound webhook requests for the configured modes, made once per webhook
// process: the chat platforms hand them to their adapters (the requests the edge passes on), and
// the Teams edge verifies with the same Bot Framework verifier, so its cache of verified tokens is
// shared. A process that only posts (the worker) makes none, and its adapters take no requests.
import type { InboundAuth } from '../../chat/platforms.ts';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import { createPlaygroundVerifier } from './playground.ts';
import { createSlackVerifier } from './slack.ts';
import { createBotFrameworkVerifier, type BotFrameworkVerifier } from './teams.ts';

/** The webhook's verifiers: for the adapters, and the Bot Framework one for the Teams edge. */
export interface WebhookAuth {
  inbound: InboundAuth;
  /** Production Teams mode: verifies every Teams activity's token at the edge. */
  teamsAuth: BotFrameworkVerifier | undefined;
}

/** The verifiers `config` calls for (Playground, production Teams, Slack). */
export function createWebhookAuth(config: Config, logger: Logger): WebhookAuth {
  const playground = config.AIRLOCK_TEAMS_PLAYGROUND;
  const teamsAuth =
    !playground && config.AIRLOCK_TEAMS_APP_ID
      ? createBotFrameworkVerifier({
          appId: config.AIRLOCK_TEAMS_APP_ID,
          openIdMetadataUrl: config.AIRLOCK_TEAMS_OPENID_URL,
          requireHttps: config.NODE_ENV === 'production',
          logger,
        })
      : undefined;
  const teams = playground ? createPlaygroundVerifier(logger) : teamsAuth?.webhookVerifier;
  const secret = config.AIRLOCK_SLACK_SIGNING_SECRET;
  const slack = secret ? createSlackVerifier(secret) : undefined;
  return { inbound: { ...(teams ? { teams } : {}), ...(slack ? { slack } : {}) }, teamsAuth };
}
