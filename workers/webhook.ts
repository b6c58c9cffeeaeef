// The webhook server process: receives Teams and Slack card clicks, verifies each, acknowledges it
// once it is fsynced to the local inbox (AIRLOCK_INBOX_DIR), then hands it from the inbox to the
// Chat SDK, whose click handler signals the action's workflow; a failure is retried until Temporal
// accepts the signal. State: the Chat SDK's conversation state, and the inbox directory, which must
// outlive the process (unfinished clicks are replayed at the next start) and belongs to one
// process at a time.
import type { Client } from '@temporalio/client';
import { loadConfigOrExit } from '../src/config.ts';
import { createDecisionInbox, inboxDir, type DecisionInbox } from '../src/chat/inbox.ts';
import { createChatServer } from '../src/chat/server.ts';
import { signalDecision } from '../src/chat/signal.ts';
import { createLogger } from '../src/log.ts';
import { createClient } from '../src/temporal/client.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'webhook' });

let client: Client | undefined;
let inbox: DecisionInbox | undefined;
try {
  client = await createClient(config);
  const signal = signalDecision(client, logger);
  let accepting: DecisionInbox | undefined;
  const server = await createChatServer({
    config,
    logger,
    onDecision: signal,
    clicks: {
      acceptClick: (workflowId, click) =>
        accepting
          ? accepting.acceptClick(workflowId, click)
          : Promise.reject(new Error('the inbox is not open yet')),
    },
  });
  const opened = createDecisionInbox({
    dir: inboxDir(config),
    deliver: signal,
    deliverClick: (click) => server.receiver.replay(click),
    logger,
  });
  await opened.start();
  inbox = accepting = opened;
  const port = await server.listen();
  logger.info(
    {
      host: config.AIRLOCK_WEBHOOK_HOST,
      port,
      teams: server.bot.teamsMode,
      slack: server.bot.slackEnabled,
    },
    'webhook server listening',
  );
  const stop = async () => {
    // The inbox refuses new clicks at once (503: the platform retries them), then the server
    // closes, deliveries in flight finish, and what is left waits in the inbox for the next start.
    const closing = opened.close();
    await server.close();
    await closing;
    await client?.connection.close();
    logger.info('webhook server stopped');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (err) {
  logger.fatal({ err }, 'webhook server failed to start');
  process.exitCode = 1;
  // Nothing else may keep the process alive.
  await inbox?.close();
  await client?.connection.close();
}
