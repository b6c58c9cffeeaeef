// The webhook server process: receives Teams and Slack card clicks and messages (startWebhook in
// src/webhook/start.ts: verify, decide, sign, fsync to the inbox, acknowledge; then signal
// Temporal). State: the inbox directory (AIRLOCK_INBOX_DIR), which must outlive the process
// (decisions not yet handed over are handed over after the next start) and belongs to one process
// at a time. Starts while Temporal is unreachable and hands clicks over once it is back.
import { loadConfigOrExit } from '../src/config.ts';
import { startWebhook } from '../src/webhook/start.ts';
import { createLogger } from '../src/log.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'webhook' });

try {
  const webhook = await startWebhook({ config, logger });
  const stop = () => void webhook.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  logger.fatal({ err }, 'webhook server failed to start');
  process.exitCode = 1;
}
