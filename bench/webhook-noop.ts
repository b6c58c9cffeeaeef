// The floor of bench/webhook-ack.ts as its own process: the real webhook (startWebhook, inbox
// included), configured from the environment like workers/webhook.ts, with nothing behind the
// inbox (decisions are dropped instead of signalled). Prints {"port":N} once listening; SIGTERM
// stops it.
import { startWebhook } from '../src/webhook/start.ts';
import { loadConfigOrExit } from '../src/config.ts';
import { createLogger } from '../src/log.ts';

const config = loadConfigOrExit();
const webhook = await startWebhook({
  config,
  logger: createLogger({ level: 'warn', name: 'webhook-noop' }),
  deliver: () => Promise.resolve(),
});
process.stdout.write(`${JSON.stringify({ port: webhook.port })}\n`);
process.once('SIGTERM', () => void webhook.close());
