// The webhook server process: receives Teams and Slack card clicks (verified), and signals the
// action workflows. Stateless apart from the Chat SDK's conversation state; safe to restart.
import { loadConfigOrExit } from '../src/config.ts';
import { createChatServer } from '../src/chat/server.ts';
import { signalDecision } from '../src/chat/signal.ts';
import { createLogger } from '../src/log.ts';
import { createClient } from '../src/temporal/client.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'webhook' });

try {
  const client = await createClient(config);
  const server = await createChatServer({
    config,
    logger,
    onDecision: signalDecision(client, logger),
  });
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
    await server.close();
    await client.connection.close();
    logger.info('webhook server stopped');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
} catch (err) {
  logger.fatal({ err }, 'webhook server failed to start');
  process.exitCode = 1;
}
