// Issue 23's target: an MCP tool call through the gateway and the policy (allowed) against the same
// call made directly with the SDK, added p50 ≤ 10 ms. The box's SDK client calls `/mcp` on the
// gateway socket; the call becomes an action request that the turn activity's fast path decides
// (policy evaluate + MCP check), claims in the ledger, audits (the worker's signed audit log) and
// calls through the worker's hub (activities/session-requests.ts, src/agents/mcp-fast.ts). The
// lookup signal to the session is measured on its own (to a real running session workflow on the
// dev server), and so, a few times, is the workflow path an allowed call took before (a
// sensitiveActionWorkflow started and awaited).
// Usage: node bench/mcp-allowed.ts [n=300] [workflow-runs=20]   (needs the dev server: .data/env)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { turnRequests, type LookupChains } from '../activities/session-requests.ts';
import { requestAction } from '../src/actions/request.ts';
import { sendToAgent } from '../src/agents/sessions.ts';
import { createDeps } from '../src/deps.ts';
import { createLogger } from '../src/log.ts';
import { agentLookupSignal } from '../workflows/agent-session/messages.ts';
import type { TurnInput } from '../workflows/agent-session/types.ts';
import { actionFixture } from '../test/helpers/actions.ts';
import { startGatewayFixture } from '../test/helpers/gateway.ts';
import { mcpClient } from '../test/helpers/gateway-mcp.ts';
import { testServerScript } from '../test/helpers/mcp-servers/servers.ts';
import { riley, standInTurnWorker } from '../test/helpers/stand-in-turns.ts';
import { interleaved, machine, ms, percentile, timeMs } from './stats.ts';

const n = Number(process.argv[2] ?? 300);
const workflowRuns = Number(process.argv[3] ?? 20);
const logger = createLogger({ level: 'silent' });

const fx = await actionFixture();
const json = JSON.stringify;
writeFileSync(
  join(fx.dir, 'policies/bench.yaml'),
  `
agents:
  - id: bench-bot
    sensitivity: action
    capabilities: [mcp:t]
    talkers: { users: [riley] }
mcpServers:
  - id: t
    command: { command: ${json(process.execPath)}, args: [${json(testServerScript)}] }
    tools: [echo]
rules:
  - { id: bench-echo, capability: mcp:t, tool: echo, decision: allow }
`,
);
const deps = createDeps(fx.config, fx.cards, { logger });
const stopWorker = await standInTurnWorker(fx, deps, (input) =>
  Promise.resolve({
    reply: '',
    tokensUsed: input.tokensUsed,
    boxCreated: false,
    idleTimeoutMs: 600_000,
  }),
);
// A real running session workflow (one turn ran; it waits for the next message).
const key = `bench-${process.pid}-${Date.now()}`;
const session = await sendToAgent(
  fx.client,
  fx.config,
  { agentId: 'bench-bot', conversationKey: key, conversation: { platform: 'teams', label: key } },
  { messageId: `m-${key}`, from: riley, text: 'hello', receivedAt: new Date().toISOString() },
);
const started = [session];
const input: TurnInput = {
  workflowId: session,
  sessionId: `bench-bot:${key}`,
  agentId: 'bench-bot',
  turn: 1,
  items: [],
  conversation: { platform: 'teams', label: key },
  tokensUsed: 0,
  asker: { from: riley, origin: { origins: ['person'], senders: [riley] }, message: 'hello' },
};
const tag = 'benchrun.1';
const chains: LookupChains = new Map();
const hooksFor = (client: () => Promise<typeof fx.client>) =>
  turnRequests({ ...deps, client, logger }, input, tag, 'benchrun', chains);
// With the lookup signal sent to the running session (in the background, after the answer), and
// without (the signal's client refuses at once): the timed part without it is the number.
const signalling = hooksFor(() => Promise.resolve(fx.client));
const quiet = hooksFor(() => Promise.reject(new Error('no lookup signal in this variant')));
let hooks = quiet;
// The gateway's turn in flight is the inbox's; the bench's requests are all of turn `tag`.
const gw = await startGatewayFixture({
  agent: { id: 'bench-bot', mcpServers: ['t'] },
  mcp: deps.mcp,
  requestAction: (r) => hooks.requestAction({ ...r, turn: tag }),
});
const direct = new Client({ name: 'bench', version: '1.0.0' });
await direct.connect(
  new StdioClientTransport({ command: process.execPath, args: [testServerScript] }),
);
const box = await mcpClient(gw.gateway.socketPath);
const purpose = 'Benchmark.';
let i = 0;
try {
  const first = await box.callTool({ name: 't__echo', arguments: { message: 'hi', purpose } });
  if (first.isError) throw new Error(`the fast path refused: ${json(first.content)}`);
  const directCall = () => direct.callTool({ name: 'echo', arguments: { message: `hi ${++i}` } });
  const boxCall = (via: typeof quiet) => () => {
    hooks = via;
    return box.callTool({ name: 't__echo', arguments: { message: `hi ${++i}`, purpose } });
  };
  // Two sets, each interleaved with the direct call: the signals of the second set (and the
  // session's workflow tasks they cause, in this process's worker) must not slow the first.
  const samples = {
    ...(await interleaved(
      {
        'SDK client → server (direct)': directCall,
        'box → /mcp → fast path (policy, MCP check, ledger, audit) → hub → server': boxCall(quiet),
      },
      n,
      10,
      30,
    )),
    ...(await interleaved(
      {
        'SDK client → server (direct), second set': directCall,
        'the same, and the lookup signal sent to the running session (after the answer)':
          boxCall(signalling),
      },
      n,
      10,
      30,
    )),
  };
  // The lookup signal on its own, to the running session (the fast path sends it after answering).
  const handle = fx.client.workflow.getHandle(session);
  const signal: number[] = [];
  for (let k = 0; k < Math.min(n, 100); k++)
    signal.push(
      await timeMs(() =>
        handle.signal(agentLookupSignal, {
          turn: 0,
          capability: 'mcp:t',
          path: '/echo',
          body: { message: 'hi' },
          result: { status: 200, body: 'echo: hi', truncated: false },
        }),
      ),
    );
  // The workflow path (before): a sensitiveActionWorkflow per call, started and awaited.
  const workflow: number[] = [];
  for (let k = 0; k < workflowRuns; k++)
    workflow.push(
      await timeMs(async () => {
        const run = await requestAction(fx.client, fx.config, {
          agent: 'bench-bot',
          capability: 'mcp:t',
          method: 'POST',
          path: '/echo',
          body: { message: `workflow ${key} ${k}` },
          origins: ['person'],
          purpose,
        });
        started.push(run.workflowId);
        const outcome = await run.handle.result();
        if (outcome.outcome !== 'executed') throw new Error(`workflow path: ${outcome.outcome}`);
      }),
    );

  console.log(`# allowed MCP call: fast path vs direct SDK, ${n} calls each, ${machine()}`);
  console.log('| path | p50 | p95 |\n|---|---|---|');
  for (const [name, s] of Object.entries(samples))
    console.log(`| ${name} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} |`);
  console.log(
    `| lookup signal to the running session (after the answer; ${signal.length}) | ${ms(percentile(signal, 50))} | ${ms(percentile(signal, 95))} |`,
  );
  console.log(
    `| workflow path: sensitiveActionWorkflow started and awaited (${workflow.length}) | ${ms(percentile(workflow, 50))} | ${ms(percentile(workflow, 95))} |`,
  );
  const p50 = (s: number[] | undefined) => percentile(s ?? [], 50);
  const [directS, fastS, direct2S, signalledS] = Object.values(samples);
  console.log(`\nadded p50 (fast path vs direct SDK): ${ms(p50(fastS) - p50(directS))}`);
  console.log(
    `added p50 with the lookup signal in the background: ${ms(p50(signalledS) - p50(direct2S))}`,
  );
} finally {
  await box.close();
  await direct.close();
  await gw.close();
  for (const id of started)
    await fx.client.workflow
      .getHandle(id)
      .terminate('bench done')
      .catch(() => undefined);
  await stopWorker();
  await deps.mcp?.close();
  await fx.close();
}
