// The chat platforms Airlock talks to, as configured: the Teams adapter (Playground or production
// Bot Framework mode) and the Slack adapter, each with the verifier of its inbound requests, on one
// Chat SDK instance with its state (memory, or PostgreSQL: state.ts), plus the conversations known
// so far. Posting (bot.ts) and receiving (receiver.ts) are both built on it.
import { Chat, type Adapter, type Logger as ChatLogger } from 'chat';
import { createChatState } from '../state/chat.ts';
import type { TeamsAdapterConfig, TeamsWebhookVerifier } from '@chat-adapter/teams';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AirlockSlackAdapter, AirlockTeamsAdapter } from './adapters.ts';
import { ConversationRegistry } from './agents/conversations.ts';
import { assertPlaygroundAllowed, playgroundOutboundToken } from './playground-mode.ts';

/** A chat platform Airlock receives webhooks from. */
export type Platform = 'teams' | 'slack';

/** Checks an inbound request the way the platform's adapter does (token or signature). */
export type RequestVerifier = (request: Request, body: string) => unknown;

/** Options of the chat platforms. */
export interface ChatPlatformsOptions {
  config: Config;
  logger: Logger;
  /** Outbound Teams token factory (tests; the Playground mode supplies its own). */
  teamsToken?: TeamsAdapterConfig['token'];
  /** How inbound requests are verified (the webhook's createWebhookAuth); none: all refused. */
  auth?: InboundAuth;
}

/**
 * The verifiers of inbound requests the adapters use (webhook/auth/inbound.ts makes them); a
 * platform without one refuses every inbound request: a process that only posts takes none.
 */
export interface InboundAuth {
  teams?: TeamsWebhookVerifier;
  slack?: (request: Request, body: string) => boolean;
}

const refuseAll = (): boolean => false;

/** The configured adapters on an initialized Chat instance. */
export interface ChatPlatforms {
  chat: Chat;
  teamsMode: 'playground' | 'production' | 'off';
  slackEnabled: boolean;
  verifiers: Partial<Record<Platform, RequestVerifier>>;
  /**
   * Requests whose Bot Framework token the webhook's edge verified (webhook/teams.ts): the Teams
   * adapter takes them without verifying the token a second time.
   */
  verifiedAtEdge: WeakSet<Request>;
  /** Conversations the bot may post into: configured ones, and those it heard from. */
  conversations: ConversationRegistry;
  /** The Teams adapter; throws AirlockError `chat_unavailable` when Teams is off. */
  teams: () => AirlockTeamsAdapter;
  /** The Slack adapter; throws AirlockError `chat_unavailable` when Slack is off. */
  slack: () => AirlockSlackAdapter;
}

/** Build and initialize the adapters `config` turns on; throws AirlockError on unsafe config. */
export async function createChatPlatforms(options: ChatPlatformsOptions): Promise<ChatPlatforms> {
  const { config, logger } = options;
  const adapters: Record<string, Adapter> = {};
  const verifiers: Partial<Record<Platform, RequestVerifier>> = {};
  const teamsMode = config.AIRLOCK_TEAMS_PLAYGROUND
    ? 'playground'
    : config.AIRLOCK_TEAMS_APP_ID
      ? 'production'
      : 'off';
  const chatLog = toChatLogger(logger);
  const auth = options.auth ?? {};
  const verifiedAtEdge = new WeakSet<Request>();
  if (teamsMode === 'playground') {
    assertPlaygroundAllowed(config);
    logger.warn(
      'PLAYGROUND MODE: the Teams webhook accepts unauthenticated requests from the Agents Playground (local development only)',
    );
    const appId = config.AIRLOCK_TEAMS_PLAYGROUND_BOT_ID;
    adapters['teams'] = new AirlockTeamsAdapter({
      appId,
      token: options.teamsToken ?? (() => playgroundOutboundToken(appId)),
      webhookVerifier: (verifiers.teams = auth.teams ?? refuseAll),
      logger: chatLog.child('teams'),
      ...(config.AIRLOCK_TEAMS_API_URL ? { apiUrl: config.AIRLOCK_TEAMS_API_URL } : {}),
    });
  } else if (teamsMode === 'production') {
    const appId = config.AIRLOCK_TEAMS_APP_ID ?? '';
    if (!config.AIRLOCK_TEAMS_APP_PASSWORD && !options.teamsToken) {
      throw new AirlockError(
        'config_invalid',
        'AIRLOCK_TEAMS_APP_ID is set but AIRLOCK_TEAMS_APP_PASSWORD is not.',
      );
    }
    const verify = (verifiers.teams = auth.teams ?? refuseAll);
    adapters['teams'] = new AirlockTeamsAdapter({
      appId,
      appType: config.AIRLOCK_TEAMS_TENANT_ID ? 'SingleTenant' : 'MultiTenant',
      ...(config.AIRLOCK_TEAMS_TENANT_ID ? { appTenantId: config.AIRLOCK_TEAMS_TENANT_ID } : {}),
      ...(options.teamsToken
        ? { token: options.teamsToken }
        : { appPassword: config.AIRLOCK_TEAMS_APP_PASSWORD ?? '' }),
      webhookVerifier: (request, body) => verifiedAtEdge.has(request) || verify(request, body),
      logger: chatLog.child('teams'),
      ...(config.AIRLOCK_TEAMS_API_URL ? { apiUrl: config.AIRLOCK_TEAMS_API_URL } : {}),
    });
  }
  const slackEnabled = Boolean(
    config.AIRLOCK_SLACK_SIGNING_SECRET && config.AIRLOCK_SLACK_BOT_TOKEN,
  );
  if (slackEnabled) {
    adapters['slack'] = new AirlockSlackAdapter({
      webhookVerifier: (verifiers.slack = auth.slack ?? refuseAll),
      botToken: config.AIRLOCK_SLACK_BOT_TOKEN ?? '',
      // Unset: learned from auth.test at start (adapters.ts).
      ...(config.AIRLOCK_SLACK_BOT_USER_ID ? { botUserId: config.AIRLOCK_SLACK_BOT_USER_ID } : {}),
      logger: chatLog.child('slack'),
      ...(config.AIRLOCK_SLACK_API_URL ? { apiUrl: config.AIRLOCK_SLACK_API_URL } : {}),
    });
  }

  const chat = new Chat({
    adapters,
    state: createChatState(config, logger, chatLog.child('state')),
    userName: 'airlock',
    logger: chatLog,
    concurrency: 'concurrent',
  });
  const conversations = new ConversationRegistry();
  if (config.AIRLOCK_TEAMS_CONVERSATION_ID && config.AIRLOCK_TEAMS_SERVICE_URL) {
    conversations.remember({
      platform: 'teams',
      conversationId: config.AIRLOCK_TEAMS_CONVERSATION_ID,
      serviceUrl: config.AIRLOCK_TEAMS_SERVICE_URL,
    });
  }
  if (config.AIRLOCK_SLACK_CHANNEL) {
    conversations.remember({ platform: 'slack', channel: config.AIRLOCK_SLACK_CHANNEL });
  }
  await chat.initialize();

  return {
    chat,
    teamsMode,
    slackEnabled,
    verifiers,
    verifiedAtEdge,
    conversations,
    teams: () => {
      const a = adapters['teams'];
      if (!a) throw new AirlockError('chat_unavailable', 'Teams is not configured');
      return a as AirlockTeamsAdapter;
    },
    slack: () => {
      const a = adapters['slack'];
      if (!a) throw new AirlockError('chat_unavailable', 'Slack is not configured');
      return a as AirlockSlackAdapter;
    },
  };
}

/** Adapt pino to the Chat SDK's logger shape (message first, then details). */
function toChatLogger(logger: Logger): ChatLogger {
  const wrap =
    (fn: (obj: object, msg: string) => void) =>
    (message: string, ...args: unknown[]) =>
      fn(args.length > 0 ? { detail: args.length === 1 ? args[0] : args } : {}, message);
  return {
    child: (prefix: string) => toChatLogger(logger.child({ component: prefix })),
    debug: wrap((o, m) => logger.debug(o, m)),
    info: wrap((o, m) => logger.info(o, m)),
    warn: wrap((o, m) => logger.warn(o, m)),
    error: wrap((o, m) => logger.error(o, m)),
  };
}
