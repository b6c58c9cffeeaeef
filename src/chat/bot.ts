// The Chat SDK instance behind Airlock's chat surface: Teams and Slack adapters on memory state,
// posting and editing approval cards, and turning verified Approve/Reject clicks into
// ApprovalDecisions handed to `onDecision` (in production: a Temporal signal).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Chat, type Adapter, type Logger as ChatLogger } from 'chat';
import type { TeamsAdapterConfig } from '@chat-adapter/teams';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';
import type { Config } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AirlockSlackAdapter, AirlockTeamsAdapter } from './adapters.ts';
import { approvalActionIds, type ApprovalCardModel } from './cards.ts';
import { decisionFromClick } from './clicks.ts';
import type { StoredClick } from './inbox-file.ts';
import { createSlackVerifier } from './slack-auth.ts';
import { createChatState } from './state.ts';
import {
  ConversationRegistry,
  teamsTargetFromActivity,
  type CardRef,
  type ChatTarget,
  type KnownConversation,
} from './conversations.ts';
import {
  assertPlaygroundAllowed,
  createBotFrameworkVerifier,
  createPlaygroundVerifier,
  playgroundOutboundToken,
} from './teams-auth.ts';
import { slackApprovalBlocks, teamsApprovalCard } from './platform-cards.ts';

/** Receives each click's decision; must resolve only once the decision is durably accepted. */
export type OnDecision = (workflowId: string, decision: ApprovalDecision) => Promise<void>;

/** Options of the approval bot. */
export interface ApprovalBotOptions {
  config: Config;
  onDecision: OnDecision;
  logger: Logger;
  /** Outbound Teams token factory (tests; the Playground mode supplies its own). */
  teamsToken?: TeamsAdapterConfig['token'];
}

/** The approval bot: a Chat instance plus card and conversation helpers. */
export interface ApprovalBot {
  chat: Chat;
  /** 'playground' | 'production' | 'off' */
  teamsMode: 'playground' | 'production' | 'off';
  slackEnabled: boolean;
  postApprovalCard(target: ChatTarget, model: ApprovalCardModel): Promise<CardRef>;
  updateApprovalCard(ref: CardRef, model: ApprovalCardModel): Promise<void>;
  /** Open (or reuse) a 1:1 Teams conversation with a user, by AAD object id. */
  openTeamsDm(userId: string, tenantId?: string): Promise<ChatTarget>;
  /** Open (or reuse) the Slack direct message channel with a user (conversations.open). */
  openSlackDm(userId: string): Promise<ChatTarget>;
  knownConversations(): KnownConversation[];
  /** Check a webhook request the way the platform's adapter will (token or signature). */
  verifyRequest(platform: 'teams' | 'slack', request: Request, body: string): Promise<boolean>;
  /**
   * Hand a click that was verified and acknowledged earlier to the Chat SDK; resolves once its
   * decision went to `onDecision`, rejects (to be retried) when that failed.
   */
  replay(click: StoredClick): Promise<void>;
}

/** Header marking a click replayed from the inbox inside this process (random per process). */
const replayHeader = 'x-airlock-replay';

/** Create the bot and initialize its adapters; throws AirlockError on unsafe configuration. */
export async function createApprovalBot(options: ApprovalBotOptions): Promise<ApprovalBot> {
  const { config, logger } = options;
  const adapters: Record<string, Adapter> = {};
  const teamsMode = config.AIRLOCK_TEAMS_PLAYGROUND
    ? 'playground'
    : config.AIRLOCK_TEAMS_APP_ID
      ? 'production'
      : 'off';
  const chatLog = toChatLogger(logger);
  // A click replayed from the inbox was verified when it arrived; its replay carries this process's
  // random token instead of the (by then possibly expired) platform credentials.
  const replayToken = Buffer.from(randomBytes(32).toString('base64url'));
  const isReplay = (request: Request): boolean => {
    const given = Buffer.from(request.headers.get(replayHeader) ?? '');
    return given.length === replayToken.length && timingSafeEqual(given, replayToken);
  };
  const verifiers: Partial<Record<'teams' | 'slack', (request: Request, body: string) => unknown>> =
    {};
  const trusting =
    (verify: (request: Request, body: string) => unknown) => (request: Request, body: string) =>
      isReplay(request) || verify(request, body);
  if (teamsMode === 'playground') {
    assertPlaygroundAllowed(config);
    logger.warn(
      'PLAYGROUND MODE: the Teams webhook accepts unauthenticated requests from the Agents Playground (local development only)',
    );
    const appId = config.AIRLOCK_TEAMS_PLAYGROUND_BOT_ID;
    adapters['teams'] = new AirlockTeamsAdapter({
      appId,
      token: options.teamsToken ?? (() => playgroundOutboundToken(appId)),
      webhookVerifier: trusting((verifiers.teams = createPlaygroundVerifier(logger))),
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
    const auth = createBotFrameworkVerifier({
      appId,
      openIdMetadataUrl: config.AIRLOCK_TEAMS_OPENID_URL,
      logger,
    });
    adapters['teams'] = new AirlockTeamsAdapter({
      appId,
      appType: config.AIRLOCK_TEAMS_TENANT_ID ? 'SingleTenant' : 'MultiTenant',
      ...(config.AIRLOCK_TEAMS_TENANT_ID ? { appTenantId: config.AIRLOCK_TEAMS_TENANT_ID } : {}),
      ...(options.teamsToken
        ? { token: options.teamsToken }
        : { appPassword: config.AIRLOCK_TEAMS_APP_PASSWORD ?? '' }),
      webhookVerifier: trusting((verifiers.teams = auth.webhookVerifier)),
      logger: chatLog.child('teams'),
      ...(config.AIRLOCK_TEAMS_API_URL ? { apiUrl: config.AIRLOCK_TEAMS_API_URL } : {}),
    });
  }
  const slackEnabled = Boolean(
    config.AIRLOCK_SLACK_SIGNING_SECRET && config.AIRLOCK_SLACK_BOT_TOKEN,
  );
  if (slackEnabled) {
    adapters['slack'] = new AirlockSlackAdapter({
      webhookVerifier: trusting(
        (verifiers.slack = createSlackVerifier(config.AIRLOCK_SLACK_SIGNING_SECRET ?? '')),
      ),
      botToken: config.AIRLOCK_SLACK_BOT_TOKEN ?? '',
      botUserId: config.AIRLOCK_SLACK_BOT_USER_ID ?? 'U0AIRLOCK',
      logger: chatLog.child('slack'),
      ...(config.AIRLOCK_SLACK_API_URL ? { apiUrl: config.AIRLOCK_SLACK_API_URL } : {}),
    });
  }

  const chat = new Chat({
    adapters,
    state: createChatState(config),
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

  // Any message to the bot teaches it where it may post: DMs, mentions and plain messages.
  const learn = (adapterName: string, raw: unknown): void => {
    if (adapterName === 'teams') {
      const target = teamsTargetFromActivity(raw);
      if (target) conversations.remember(target);
    } else if (adapterName === 'slack') {
      const channel = (raw as { channel?: unknown } | null)?.channel;
      if (typeof channel === 'string') conversations.remember({ platform: 'slack', channel });
    }
  };
  chat.onDirectMessage((thread, message) => learn(thread.adapter.name, message.raw));
  chat.onNewMention((thread, message) => learn(thread.adapter.name, message.raw));
  chat.onNewMessage(/[\s\S]*/, (thread, message) => learn(thread.adapter.name, message.raw));

  /** When replayed clicks were received, by delivery id, while their replay runs. */
  const receipts = new Map<string, string>();
  chat.onAction(approvalActionIds, async (event) => {
    const result = decisionFromClick({
      actionId: event.actionId,
      ...(event.value !== undefined ? { value: event.value } : {}),
      platform: event.adapter.name,
      raw: event.raw,
    });
    if (!result.ok) {
      logger.warn({ actionId: event.actionId, reason: result.reason }, 'ignored a card click');
      return;
    }
    const { workflowId } = result;
    const receivedAt = receipts.get(result.decision.decisionId);
    const decision = receivedAt ? { ...result.decision, receivedAt } : result.decision;
    logger.info(
      {
        workflowId,
        decisionId: decision.decisionId,
        choice: decision.choice,
        approver: decision.approver.displayName,
      },
      'approval card clicked',
    );
    await options.onDecision(workflowId, decision);
  });

  await chat.initialize();

  const teams = (): AirlockTeamsAdapter => {
    const a = adapters['teams'];
    if (!a) throw new AirlockError('chat_unavailable', 'Teams is not configured');
    return a as AirlockTeamsAdapter;
  };
  const slack = (): AirlockSlackAdapter => {
    const a = adapters['slack'];
    if (!a) throw new AirlockError('chat_unavailable', 'Slack is not configured');
    return a as AirlockSlackAdapter;
  };

  return {
    chat,
    teamsMode,
    slackEnabled,
    knownConversations: () => conversations.list(),
    async verifyRequest(platform, request, body) {
      const verify = verifiers[platform];
      try {
        return Boolean(verify && (await verify(request, body)));
      } catch {
        return false;
      }
    },
    async replay(click) {
      const webhook = chat.webhooks[click.platform];
      if (!webhook)
        throw new AirlockError('chat_unavailable', `${click.platform} is not configured`);
      const request = new Request(`http://airlock.replay/api/webhooks/${click.platform}`, {
        method: 'POST',
        headers: { 'content-type': click.contentType, [replayHeader]: replayToken.toString() },
        body: click.body,
      });
      const tasks: Promise<unknown>[] = [];
      receipts.set(click.deliveryId, click.receivedAt);
      try {
        const response = await webhook(request, {
          waitUntil: (task) => tasks.push(task),
          propagateHandlerErrors: true,
        });
        await Promise.all(tasks);
        if (response.status >= 400) {
          throw new AirlockError(
            'click_replay_failed',
            `the ${click.platform} adapter answered HTTP ${response.status} to a replayed click`,
          );
        }
      } finally {
        receipts.delete(click.deliveryId);
      }
    },
    async postApprovalCard(target, model) {
      if (target.platform === 'teams') {
        const threadId = teams().encodeThreadId({
          conversationId: target.conversationId,
          serviceUrl: target.serviceUrl,
          ...(target.conversationType ? { conversationType: target.conversationType } : {}),
        });
        const messageId = await teams().postCard(threadId, teamsApprovalCard(model));
        return {
          platform: 'teams',
          conversationId: target.conversationId,
          messageId,
          serviceUrl: target.serviceUrl,
          ...(target.conversationType ? { conversationType: target.conversationType } : {}),
        };
      }
      const { blocks, text } = slackApprovalBlocks(model);
      const messageId = await slack().postBlocks(target.channel, blocks, text);
      return { platform: 'slack', conversationId: target.channel, messageId };
    },
    async openTeamsDm(userId, tenantId) {
      // The adapter's openDM reads the user's connector and tenant from chat state, where it
      // caches them from the user's own messages; seed them from what we know when it has none.
      const state = chat.getState();
      const serviceUrl = config.AIRLOCK_TEAMS_SERVICE_URL;
      if (serviceUrl && !(await state.get(`teams:serviceUrl:${userId}`))) {
        await state.set(`teams:serviceUrl:${userId}`, serviceUrl);
      }
      const tenant = tenantId ?? config.AIRLOCK_TEAMS_TENANT_ID;
      if (tenant && !(await state.get(`teams:tenantId:${userId}`))) {
        await state.set(`teams:tenantId:${userId}`, tenant);
      }
      const decoded = teams().decodeThreadId(await teams().openDM(userId));
      return {
        platform: 'teams',
        conversationId: decoded.conversationId,
        serviceUrl: decoded.serviceUrl,
        conversationType: 'personal',
      };
    },
    async openSlackDm(userId) {
      const { channel } = slack().decodeThreadId(await slack().openDM(userId));
      return { platform: 'slack', channel };
    },
    async updateApprovalCard(ref, model) {
      // Edit by the id stored when the card was posted: a click's own message id is not reliable
      // (real Teams channel clicks carry the card id only in channelData.legacy).
      if (ref.platform === 'teams') {
        const threadId = teams().encodeThreadId({
          conversationId: ref.conversationId,
          serviceUrl: ref.serviceUrl ?? '',
          ...(ref.conversationType ? { conversationType: ref.conversationType } : {}),
        });
        await teams().editCard(threadId, ref.messageId, teamsApprovalCard(model));
        return;
      }
      const { blocks, text } = slackApprovalBlocks(model);
      await slack().editBlocks(ref.conversationId, ref.messageId, blocks, text);
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
