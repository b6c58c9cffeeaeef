import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

test('defaults apply to an empty environment', () => {
  const config = loadConfig({});
  assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
  assert.equal(config.TEMPORAL_TASK_QUEUE, 'airlock');
});

test('every invalid value is reported at once', () => {
  assert.throws(
    () => loadConfig({ TEMPORAL_ADDRESS: 'nope', LOG_LEVEL: 'loud', AIRLOCK_VAULT_KEY: 'short' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'config_invalid');
      assert.match(err.message, /3 problems/);
      assert.match(err.message, /TEMPORAL_ADDRESS: must be host:port/);
      assert.match(err.message, /LOG_LEVEL/);
      assert.match(err.message, /AIRLOCK_VAULT_KEY: must be 32 bytes/);
      return true;
    },
  );
});

test('production refuses to start without a payload key, naming it', () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'config_invalid');
      assert.match(err.message, /AIRLOCK_PAYLOAD_KEY: required when NODE_ENV=production/);
      return true;
    },
  );
  const key = Buffer.alloc(32, 7).toString('base64');
  assert.equal(
    loadConfig({ NODE_ENV: 'production', AIRLOCK_PAYLOAD_KEY: key }).NODE_ENV,
    'production',
  );
  assert.equal(loadConfig({ NODE_ENV: 'development' }).AIRLOCK_PAYLOAD_KEY, undefined);
});
