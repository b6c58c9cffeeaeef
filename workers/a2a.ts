// The A2A server process: external A2A clients ask Airlock agents here (src/a2a/server.ts). It
// keeps no state of its own: each task is an exchange workflow in Temporal, so a restart loses
// nothing and several instances may serve the same clients.
import { startA2AServer } from '../src/a2a/server.ts';
import { loadConfigOrExit } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { currentPolicy } from '../src/policy/current.ts';
import { createClient } from '../src/temporal/client.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'a2a' });

try {
  // The A2A server's own certificate: the server lets it start and read its exchanges only.
  const client = await createClient(config, { role: 'a2a' });
  const server = await startA2AServer(
    { config, client, policy: currentPolicy(config.AIRLOCK_POLICY_DIR), logger },
    config.AIRLOCK_A2A_PORT,
    config.AIRLOCK_A2A_HOST,
  );
  const stop = () => void server.close().then(() => client.connection.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  logger.fatal({ err }, 'a2a server failed to start');
  process.exitCode = 1;
}
