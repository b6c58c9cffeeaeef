// A codec server of the test's own (src/temporal/codec-server.ts) on a free loopback port, with
// the payload key of `config`: the tests that call it over HTTP or drive the UI through it.
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { dataConverter } from '../../src/temporal/client.ts';
import { createCodecServer, type CodecServer } from '../../src/temporal/codec-server.ts';

/** A running codec server and its base URL (`http://127.0.0.1:<port>`). */
export interface TestCodecServer {
  server: CodecServer;
  url: string;
}

/** Start one; `uiUpstream` also serves that Temporal UI under its origin. Close `server` after. */
export async function startCodecServer(options: {
  config: Config;
  token: string;
  uiOrigin: string;
  uiUpstream?: string;
}): Promise<TestCodecServer> {
  const codec = dataConverter(options.config).payloadCodecs?.[0];
  if (!codec) throw new Error('the test config has no payload key: nothing to decode');
  const server = createCodecServer({
    codec,
    uiOrigin: options.uiOrigin,
    token: options.token,
    logger: createLogger({ level: 'silent' }),
    uiUpstream: options.uiUpstream,
  });
  return { server, url: `http://127.0.0.1:${await server.listen(0)}` };
}
