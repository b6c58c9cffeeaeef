// Secrets stay out of logs: every secret setting, logged by accident as part of a whole config (at
// any depth), comes out as [redacted], as do secrets in errors and child loggers' bindings; and
// redacting does not make a line without secrets dearer. The list of secret settings is read from the config schema,
// so a new secret setting without a redaction rule fails here.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
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

/** A logger writing into a string. */
function captured(): { logger: ReturnType<typeof createLogger>; out: () => string } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, sink), out: () => out };
}

test('secrets in errors, arrays, deep objects and child bindings are redacted; nothing logged is changed', () => {
  const { logger, out } = captured();
  const err = Object.assign(new TypeError('request failed'), {
    config: { headers: { authorization: 'Bearer canary-1' } },
    code: 'E_HTTP',
  });
  const deep = { a: { b: { c: { d: { e: { token: 'canary-2' } } } } } };
  const list = { attempts: [{ password: 'canary-3' }, { ok: true }] };
  logger.error({ err }, 'with an error');
  logger.error(err);
  logger.info(deep, 'deep');
  logger.info(list, 'list');
  logger
    .child({ component: 'x' })
    .child({ secret: 'canary-4', nested: { apiKey: 'canary-5' } })
    .warn('child');
  const text = out();
  for (let i = 1; i <= 5; i++) assert.ok(!text.includes(`canary-${i}`), `canary-${i} leaked`);
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const line of lines.slice(0, 2)) {
    const logged = line['err'] as Record<string, unknown>;
    assert.equal(logged['type'], 'TypeError');
    assert.equal(logged['message'], 'request failed');
    assert.match(String(logged['stack']), /^TypeError: request failed\n\s+at /);
    assert.equal(logged['code'], 'E_HTTP');
    assert.deepEqual(logged['config'], { headers: { authorization: '[redacted]' } });
  }
  assert.deepEqual(lines[4]?.['nested'], { apiKey: '[redacted]' });
  assert.equal(lines[4]?.['component'], 'x');
  // The caller's objects still hold their values.
  assert.equal(err.config.headers.authorization, 'Bearer canary-1');
  assert.equal(deep.a.b.c.d.e.token, 'canary-2');
  assert.equal(list.attempts[0]?.password, 'canary-3');
});

test('a line with nothing to redact costs about what it costs unredacted', () => {
  // pino's path redaction made every line ~20× dearer (88 wildcard paths, ~85 µs a line), and the
  // webhook logs one per click. Compared with a plain pino logger in the same process, so the
  // machine's load cancels out; the best of five runs each.
  const sink = new Writable({ write: (_c: Buffer, _e, done) => done() });
  const ours = createLogger({ level: 'info' }, sink);
  const plain = pino({ level: 'info' }, sink);
  const line = {
    workflowId: 'action:a-1',
    decisionId: 'teams:1',
    choice: 'approve',
    approver: 'A',
  };
  // CPU time, not the wall clock: other processes on a busy machine do not count.
  const time = (logger: { info: (o: object, m: string) => void }): number => {
    const start = process.cpuUsage();
    for (let i = 0; i < 2000; i++) logger.info(line, 'approval card clicked');
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1000;
  };
  const best = { ours: Infinity, plain: Infinity };
  for (let run = 0; run < 5; run++) {
    best.plain = Math.min(best.plain, time(plain));
    best.ours = Math.min(best.ours, time(ours));
  }
  assert.ok(
    best.ours < 4 * best.plain,
    `${best.ours.toFixed(1)} ms vs ${best.plain.toFixed(1)} ms`,
  );
});
