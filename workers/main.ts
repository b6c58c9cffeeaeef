// The Airlock worker process: runs workflows and activities until SIGINT/SIGTERM, then drains
// (in-flight activities get the grace time, then the process exits). In production it loads the
// pre-built workflow bundle (AIRLOCK_WORKFLOW_BUNDLE or dist/workflow-bundle.js).
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { loadConfigOrExit } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createDeps } from '../src/deps.ts';
import { createApprovalBot } from '../src/chat/bot.ts';
import { createCardSender } from '../src/chat/card-sender.ts';
import { noChatSurface } from '../src/chat/none.ts';
import { createHostWorker, createWorker } from '../src/temporal/worker.ts';
import { createClient } from '../src/temporal/client.ts';
import { startHealthServer } from '../src/temporal/health.ts';
import { startGauges } from '../src/temporal/gauges.ts';
import { temporalGrants } from '../src/grants/grants.ts';
import { removeOrphanBoxes } from '../src/agents/orphans.ts';
import { createConversationPoster } from '../src/chat/agents/replies.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
const defaultBundle = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
const bundlePath =
  config.AIRLOCK_WORKFLOW_BUNDLE ?? (config.NODE_ENV === 'production' ? defaultBundle : undefined);

try {
  // The worker posts and edits cards; clicks arrive at the webhook server, never here.
  const chatConfigured =
    config.AIRLOCK_TEAMS_PLAYGROUND ||
    config.AIRLOCK_TEAMS_APP_ID ||
    config.AIRLOCK_SLACK_BOT_TOKEN;
  const bot = chatConfigured ? await createApprovalBot({ config, logger }) : undefined;
  const cards = bot ? createCardSender(bot, config, logger) : noChatSurface;
  const client = await createClient(config);
  // This Docker host: sessions whose sandbox lives here send their turns to its own queue.
  const hostId =
    config.AIRLOCK_HOST_ID ??
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 60);
  const deps = createDeps(config, cards, {
    grants: temporalGrants(client),
    logger,
    hostId,
    client: () => Promise.resolve(client),
    ...(bot ? { poster: createConversationPoster(bot, bot.chat.getState(), logger) } : {}),
  });
  // Boxes whose session is over (closed, terminated, or gone) are removed at start.
  await removeOrphanBoxes(deps.driver.docker, client, logger, config.TEMPORAL_ADDRESS);
  const activities = createActivities(deps);
  const worker = await createWorker({ config, logger, activities, bundlePath });
  const hostWorker = await createHostWorker({ config, logger, activities, hostId });
  const health = config.AIRLOCK_HEALTH_BIND
    ? await startHealthServer(config.AIRLOCK_HEALTH_BIND, {
        worker,
        client,
        docker: deps.driver.docker,
      })
    : undefined;
  // Gauges go out through the metrics endpoint: without one there is nobody to read them.
  const gauges =
    config.AIRLOCK_METRICS_BIND && config.AIRLOCK_GAUGES_EVERY_SEC > 0
      ? startGauges({
          client,
          docker: deps.driver.docker,
          meter: Runtime.instance().metricMeter,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          logger,
          everyMs: config.AIRLOCK_GAUGES_EVERY_SEC * 1000,
        })
      : undefined;
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      address: config.TEMPORAL_ADDRESS,
      pid: process.pid,
      bundled: Boolean(bundlePath),
      host: hostId,
    },
    'worker started',
  );
  // Worker.run() installs SIGINT/SIGTERM handlers that start a graceful shutdown (of both).
  await Promise.all([worker.run(), hostWorker.run()]);
  health?.close();
  await gauges?.stop();
  await deps.gateways.closeAll();
  // The MCP servers this worker started (stdio) stop with it.
  await deps.mcp?.close();
  logger.info('worker stopped');
} catch (err) {
  logger.fatal({ err }, 'worker failed');
  process.exitCode = 1;
}
