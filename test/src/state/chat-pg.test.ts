// The webhook with its Chat SDK state in a real PostgreSQL (a private cluster started here): it
// handles a Playground-style message and a click, two webhooks on one database handle a Teams
// message once (the SDK dedupes messages by activity id through the state), a flood of distinct
// requests leaves the tables bounded once swept, the URL's password never reaches a log line, and
// docker-compose.yml's chat-state-db script makes a database the webhook can use.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { ChatTarget } from '../../../src/chat/agents/conversations.ts';
import { SweptPostgresState } from '../../../src/state/chat-pg.ts';
import { startWebhook, type Webhook } from '../../../src/webhook/start.ts';
import { createLogger, type Logger } from '../../../src/log.ts';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres.ts';
import { adminEnv } from '../../helpers/state-db.ts';
import { repoRoot } from '../../helpers/temporal.ts';
import { decisionSink, post, testConfig } from '../chat/helpers.ts';
import { runCleanups } from '../../helpers/cleanup.ts';

const marker = { 'x-ms-agents-playground': 'true' };
const botId = '00000000-0000-0000-0000-00000000b071';
const maxKeys = 100;
const sink = decisionSink();
const logs: string[] = [];
let cluster: PostgresCluster | undefined;
let a: Webhook | undefined;
let b: Webhook | undefined;

/** A logger at trace level whose raw lines go to `logs`. */
function traceLogger(): Logger {
  const sinkStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  return createLogger({ level: 'trace' }, sinkStream);
}

function config(url: string, extra: Record<string, string> = {}) {
  return testConfig({
    AIRLOCK_TEAMS_PLAYGROUND: '1',
    AIRLOCK_CHAT_STATE_URL: url,
    AIRLOCK_CHAT_STATE_MAX_KEYS: String(maxKeys),
    AIRLOCK_CHAT_STATE_SWEEP_MS: '200',
    LOG_LEVEL: 'trace',
    ...extra,
  });
}

/** A message in a Playground group chat, mentioning the bot. */
function message(id: string, conversationId: string, fromId = 'user-alice') {
  return {
    type: 'message',
    id,
    text: '<at>Airlock</at> hello',
    serviceUrl: 'http://localhost:56150/_connector',
    channelId: 'msteams',
    from: {
      id: fromId,
      name: 'Alice',
      aadObjectId: `00000000-0000-0000-0000-${fromId.slice(-12).padStart(12, '0')}`,
    },
    conversation: { id: conversationId, conversationType: 'groupChat', tenantId: 't' },
    recipient: { id: botId, name: 'Airlock' },
    entities: [
      { type: 'mention', text: '<at>Airlock</at>', mentioned: { id: botId, name: 'Airlock' } },
    ],
  };
}

function click(id: string, workflowId: string) {
  return {
    ...message(id, 'airlock-approvals-chat', 'user-bob'),
    text: undefined,
    entities: undefined,
    replyToId: '1',
    value: {
      actionId: 'approval:approve',
      value: JSON.stringify({ workflowId, requestHash: 'h' }),
    },
  };
}

async function learned(
  webhook: Webhook,
  conversationId: string,
  tries = 100,
): Promise<ChatTarget | undefined> {
  for (let i = 0; i < tries; i++) {
    const found = webhook.bot
      .knownConversations()
      .find((c) => c.platform === 'teams' && c.conversationId === conversationId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

async function cacheRows(where = 'true'): Promise<number> {
  const res = await cluster?.query<{ n: string }>(
    `SELECT count(*) AS n FROM chat_state_cache WHERE key_prefix = 'airlock' AND ${where}`,
  );
  return Number(res?.rows[0]?.n ?? NaN);
}

before(async () => {
  const started = Date.now();
  cluster = await startPostgres();
  logs.push(`{"note":"private cluster up in ${cluster.startMs} ms"}\n`);
  a = await startWebhook({
    config: config(cluster.url),
    deliver: sink.onDecision,
    logger: traceLogger(),
  });
  b = await startWebhook({
    config: config(cluster.url),
    deliver: sink.onDecision,
    logger: traceLogger(),
  });
  process.stderr.write(
    `# postgres ${cluster.startMs} ms, webhooks up after ${Date.now() - started} ms\n`,
  );
});

after(async () => {
  await runCleanups([() => a?.close(), () => b?.close(), () => cluster?.stop()]);
});

test('a Playground message and a click are handled with the state in PostgreSQL', async () => {
  const webhook = a as Webhook;
  const id = `m-${randomUUID()}`;
  const res = await post(`${webhook.url}/api/webhooks/teams`, message(id, 'chat-hello'), marker);
  assert.equal(res.status, 200);
  assert.ok(await learned(webhook, 'chat-hello'), 'the bot learned the chat from the message');
  assert.equal(await cacheRows(`cache_key = 'dedupe:teams:${id}'`), 1, 'dedupe key in the table');
  for (
    let i = 0;
    i < 50 && (await cacheRows(`cache_key = 'teams:serviceUrl:user-alice'`)) === 0;
    i++
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(
    await cacheRows(`cache_key = 'teams:serviceUrl:user-alice'`),
    1,
    "the sender's connector",
  );

  const clicked = await post(
    `${webhook.url}/api/webhooks/teams`,
    click(`c-${randomUUID()}`, 'action:pg'),
    marker,
  );
  assert.equal(clicked.status, 200);
  const { workflowId, decision } = await sink.next();
  assert.equal(workflowId, 'action:pg');
  assert.equal(decision.choice, 'approve');
  assert.equal(decision.approver.userId, 'user-bob');
});

test('two webhooks on one database handle one Teams message once', async () => {
  const [first, second] = [a as Webhook, b as Webhook];
  const id = `m-${randomUUID()}`;
  const conversation = `chat-${randomUUID()}`;
  assert.equal(
    (await post(`${first.url}/api/webhooks/teams`, message(id, conversation), marker)).status,
    200,
  );
  assert.ok(await learned(first, conversation));
  // The platform redelivers the same activity, and a load balancer sends it to the other replica.
  assert.equal(
    (await post(`${second.url}/api/webhooks/teams`, message(id, conversation), marker)).status,
    200,
  );
  // Its answer came after its handlers ran (or were skipped), so a short look suffices.
  assert.equal(await learned(second, conversation, 10), undefined, 'the second replica skipped it');
  // Control: a new activity in the same chat reaches the second replica's handlers.
  const fresh = message(`m-${randomUUID()}`, conversation);
  assert.equal((await post(`${second.url}/api/webhooks/teams`, fresh, marker)).status, 200);
  assert.ok(await learned(second, conversation), 'a new activity is handled there');
});

test('a flood of distinct requests leaves the tables bounded once swept', async () => {
  const webhook = a as Webhook;
  const state = webhook.bot.chat.getState();
  assert.ok(state instanceof SweptPostgresState);
  // Expired rows: state-pg alone only ignores them; the sweep deletes them.
  for (let i = 0; i < 20; i++) await state.set(`expiring:${i}`, i, 1);
  // A row without a TTL (the bot's own per-approver context) outlives the flood's rows.
  await state.set('keep:approver-context', 'kept');
  // Distinct senders, distinct activity ids: a dedupe key and user-cache rows each.
  const flood = Array.from({ length: 300 }, (_, i) =>
    message(`f-${randomUUID()}`, 'chat-flood', `user-flood-${i}`),
  );
  for (let i = 0; i < flood.length; i += 10) {
    const batch = flood
      .slice(i, i + 10)
      .map((m) => post(`${webhook.url}/api/webhooks/teams`, m, marker));
    for (const res of await Promise.all(batch)) assert.equal(res.status, 200);
  }
  let rows = Infinity;
  for (let i = 0; i < 100 && rows > maxKeys; i++) {
    await new Promise((r) => setTimeout(r, 50));
    rows = await cacheRows();
  }
  assert.ok(rows <= maxKeys, `${rows} cache rows, at most ${maxKeys} expected`);
  assert.equal(await cacheRows(`cache_key LIKE 'expiring:%'`), 0, 'expired rows are gone');
  assert.equal(await state.get('keep:approver-context'), 'kept');
});

test('the password in the URL never shows in the logs', async () => {
  const url = (cluster as PostgresCluster).url;
  const password = (cluster as PostgresCluster).password;
  // A wrong password: the webhook refuses to start, saying where the state is and why.
  const wrong = `wrong-${randomUUID()}`;
  const logger = traceLogger();
  const bad = url.replace(`:${password}@`, `:${wrong}@`);
  const outcome = await startWebhook({
    config: config(bad),
    deliver: sink.onDecision,
    logger,
  }).then(
    (webhook) => webhook,
    (err: unknown) => err as Error & { code?: string },
  );
  if (!(outcome instanceof Error)) {
    await outcome.close();
    assert.fail('the webhook started with a wrong database password');
  }
  assert.equal(outcome.code, 'chat_state_unavailable');
  assert.match(outcome.message, /127\.0\.0\.1:\d+\/airlock_test/);
  assert.match(outcome.message, /password authentication failed/);
  logger.fatal({ err: outcome }, 'webhook server failed to start');
  // A configuration logged by mistake is redacted too.
  logger.info({ config: config(url) }, 'configuration');
  const all = logs.join('');
  assert.match(all, /chat state: PostgreSQL/);
  assert.match(all, /password authentication failed/);
  assert.ok(!all.includes(password), 'the password is in a log line');
  assert.ok(!all.includes(wrong), 'the wrong password is in a log line');
});

test("docker-compose's chat-state-db script makes a database the webhook can use, and can rerun", async () => {
  const c = cluster as PostgresCluster;
  // The script docker-compose.yml's chat-state-db service runs (deploy-files.test.ts ties them).
  const script = join(repoRoot, 'deploy/postgres/chat-state-db.sh');
  const password = randomBytes(12).toString('hex');
  const env = adminEnv(c, { CHAT_STATE_PASSWORD: password });
  for (let run = 1; run <= 2; run++) {
    const result = spawnSync('sh', [script], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, `run ${run}: ${result.stderr}`);
  }
  const url = `postgres://airlock_chat:${password}@127.0.0.1:${c.port}/airlock_chat`;
  const webhook = await startWebhook({
    config: config(url),
    deliver: sink.onDecision,
    logger: traceLogger(),
  });
  try {
    const id = `m-${randomUUID()}`;
    const res = await post(
      `${webhook.url}/api/webhooks/teams`,
      message(id, 'chat-compose'),
      marker,
    );
    assert.equal(res.status, 200);
    assert.equal(await webhook.bot.chat.getState().get(`dedupe:teams:${id}`), true);
  } finally {
    await webhook.close();
  }
});
