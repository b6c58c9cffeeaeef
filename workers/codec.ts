// The codec server process: lets the Temporal UI show Airlock's encrypted payloads in clear to the
// operator using it (see src/temporal/codec-server.ts), and serves that UI (TEMPORAL_UI_URL) under
// its own origin, where decoding needs no UI setting. Loopback by default (AIRLOCK_CODEC_HOST);
// every decode needs AIRLOCK_CODEC_TOKEN.
import { loadConfigOrExit } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { dataConverter } from '../src/temporal/client.ts';
import { createCodecServer } from '../src/temporal/codec-server.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'codec' });
const codec = dataConverter(config).payloadCodecs?.[0];
if (!codec) {
  logger.fatal('AIRLOCK_PAYLOAD_KEY is not set: payloads are not encrypted, nothing to decode');
  process.exit(2);
}
if (!config.AIRLOCK_CODEC_TOKEN) {
  logger.fatal(
    'AIRLOCK_CODEC_TOKEN is not set: the codec server answers only callers with it (scripts/up.sh writes one to .data/env; elsewhere: openssl rand -base64 32)',
  );
  process.exit(2);
}
const server = createCodecServer({
  codec,
  uiOrigin: config.TEMPORAL_UI_URL,
  token: config.AIRLOCK_CODEC_TOKEN,
  logger,
  uiUpstream: config.TEMPORAL_UI_URL,
});
try {
  const port = await server.listen(config.AIRLOCK_CODEC_PORT, config.AIRLOCK_CODEC_HOST);
  logger.info({ port, uiOrigin: config.TEMPORAL_UI_URL }, 'codec server listening');
  const stop = () => void server.close().then(() => logger.info('codec server stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  logger.fatal({ err }, 'codec server failed to start');
  process.exitCode = 1;
}
