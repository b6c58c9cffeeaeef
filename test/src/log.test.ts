// Secrets stay out of logs: every secret setting, logged by accident as part of a whole config (at
// any depth), comes out as [redacted]. The list of secret settings is read from the config schema,
// so a new secret setting without a redaction rule fails here.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { settingNames } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';

const secretName = /(KEY|KEYS|TOKEN|SECRET|PASSWORD|_STATE_URL)$/;
const notSecret = /(_KEY_ID|_KEY_FILE|MAX_KEYS|PUBLIC_KEYS)$/;

test('every secret setting is redacted wherever a config is logged', () => {
  const secrets = settingNames.filter((n) => secretName.test(n) && !notSecret.test(n));
  assert.ok(secrets.length >= 10, `found ${secrets.join(', ')}`);
  const canary = (name: string) => `canary-${name.toLowerCase()}-0b5e55ed`;
  const env = Object.fromEntries(secrets.map((n) => [n, canary(n)]));
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ level: 'info' }, sink);
  logger.info(env, 'top level');
  logger.info({ config: env }, 'one level down');
  logger.info({ worker: { config: env } }, 'two levels down');
  for (const name of secrets) assert.ok(!out.includes(canary(name)), `${name} leaked into the log`);
  assert.equal(out.split('[redacted]').length - 1, secrets.length * 3);
});
