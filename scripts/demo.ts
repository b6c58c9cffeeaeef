// The demo job (`make demo`): a support agent asks for a refund that policy says needs approval.
// Starts the demo refunds API, stores its token in the vault, starts Microsoft's Agents Playground
// (the local Teams), the webhook server and a worker, runs a sandbox, requests the refund, and
// prints where to look. Approve the card in the Playground (as Alice); the refund runs once.
// AIRLOCK_DEMO_ONESHOT=1 clicks Approve itself (as Bob) and exits when the refund has run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { requestAction } from '../src/actions/request.ts';
import { loadConfigOrExit, processEnv } from '../src/config.ts';
import { startDemoApi } from '../src/dev/demo-api.ts';
import { startPlayground } from '../src/dev/playground.ts';
import { cardOf, PlaygroundClient } from '../src/dev/playground-client.ts';
import { createClient } from '../src/temporal/client.ts';
import { openVault } from '../src/vault/open.ts';
import { sandboxRunWorkflow } from '../workflows/index.ts';

const GROUP_CHAT = 'airlock-approvals-chat';
const env = processEnv();
const oneshot = env.AIRLOCK_DEMO_ONESHOT === '1';
const children: ChildProcess[] = [];
const say = (text: string) => process.stdout.write(`\x1b[1m[demo]\x1b[0m ${text}\n`);

function start(name: string, file: string, extra: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [file], {
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (/"msg":"(worker started|webhook server listening)"/.test(seen)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${name} exited (${code}):\n${seen.slice(-2000)}`)),
    );
  });
}

const config = loadConfigOrExit();
const token = `demo-${randomBytes(12).toString('hex')}`;
const api = await startDemoApi({ port: 4010, token });
await openVault(config).put({
  name: 'refunds-api-key',
  kind: 'bearer',
  secret: token,
  scope: {
    hosts: ['127.0.0.1:4010'],
    methods: ['POST'],
    paths: ['/refunds'],
    agents: ['support-bot'],
  },
});
say(`demo refunds API on ${api.url}; its token is in the vault (the agent never sees it)`);

const webhookEnv = {
  AIRLOCK_TEAMS_PLAYGROUND: '1',
  AIRLOCK_WEBHOOK_HOST: '127.0.0.1',
  AIRLOCK_WEBHOOK_PORT: String(config.AIRLOCK_WEBHOOK_PORT),
};
await start('webhook server', 'workers/webhook.ts', webhookEnv);
const playground = await startPlayground({
  webhookUrl: `http://127.0.0.1:${config.AIRLOCK_WEBHOOK_PORT}/api/webhooks/teams`,
});
children.push({ kill: () => void playground.stop() } as unknown as ChildProcess);
await start('worker', 'workers/main.ts', {
  ...webhookEnv,
  AIRLOCK_TEAMS_CONVERSATION_ID: GROUP_CHAT,
  AIRLOCK_TEAMS_SERVICE_URL: `${playground.url}/_connector`,
});
const ui = (id: string) =>
  `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(id)}`;

const client = await createClient(config);
const sandboxId = `demo:sandbox:${Date.now()}`;
const box = await client.workflow.execute(sandboxRunWorkflow, {
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  workflowId: sandboxId,
  args: [
    {
      script:
        "console.log('hello from the sandbox: node ' + process.version + ', uid ' + process.getuid() + ', interfaces: ' + Object.keys(require('node:os').networkInterfaces()).join(','))",
    },
  ],
});
say(`sandbox said: ${box.stdout.trim()}  (${ui(sandboxId)})`);

const pg = new PlaygroundClient(playground.url);
await pg.connect();
const order = `A-${Date.now().toString().slice(-6)}`;
const { workflowId, handle } = await requestAction(client, config, {
  agent: 'support-bot',
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { order, amount: 120, currency: 'EUR', reason: 'Parcel arrived damaged' },
  requester: {
    platform: 'teams',
    aadObjectId: '00000000-0000-0000-0000-0000000000cc',
    displayName: 'Riley Requester',
  },
});
const card = await pg.waitFor(
  (e) => e.action === 'createMessage' && JSON.stringify(cardOf(e) ?? {}).includes(workflowId),
  60_000,
);
say(
  `support-bot asked to refund 120 EUR for order ${order}; policy rule refunds-large needs an approver`,
);
say(
  `Teams (Agents Playground): ${playground.url}  → you are Alice Approver: the card waits in your chat with Airlock (the Playground keeps no history, so Airlock shows it when you open the page; type "pending" any time). Click Approve, or type a reason and click Reject`,
);
say(`Temporal UI (this request): ${ui(workflowId)}`);
say(
  `Temporal UI (all runs):     ${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
);
say(`Terminal: ./airlock approvals show ${workflowId}`);

if (oneshot) {
  const actions = cardOf(card)?.['actions'] as { data: Record<string, unknown> }[];
  await pg.submit({
    conversationId: GROUP_CHAT,
    replyToId: card.message.messageId,
    value: actions[0]?.data ?? {},
    fromId: 'user-bob',
  });
}
const outcome = await handle.result();
say(`outcome: ${outcome.outcome} — ${outcome.message}`);
say(
  `refunds API executed ${api.refunds.length} refund(s): ${JSON.stringify(api.refunds.map((r) => ({ id: r.id, idempotencyKey: r.idempotencyKey })))}`,
);

const stop = async () => {
  pg.close();
  for (const c of children.reverse()) c.kill('SIGTERM');
  await client.connection.close();
  await api.close();
};
if (oneshot) {
  await stop();
} else {
  say('still running so you can look around; press Ctrl-C to stop everything');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
