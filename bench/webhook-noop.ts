// The floor of bench/webhook-ack.ts as its own process: the real webhook server, configured from
// the environment like workers/webhook.ts, with an onDecision that does nothing. Prints
// {"port":N} once listening; SIGTERM stops it.
import { createChatServer } from '../src/chat/server.ts';
import { loadConfigOrExit } from '../src/config.ts';
import { createLogger } from '../src/log.ts';

const config = loadConfigOrExit();
const server = await createChatServer({
  config,
  logger: createLogger({ level: config.LOG_LEVEL, name: 'webhook-noop' }),
  onDecision: () => Promise.resolve(),
});
process.stdout.write(`${JSON.stringify({ port: await server.listen() })}\n`);
process.once('SIGTERM', () => void server.close());
