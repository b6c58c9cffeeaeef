// Turn overhead on a warm sandbox (issue 10): a one-step text reply from the scripted stand-in
// model, (1) sent straight to the stand-in from here (the baseline: the very request the runner
// sent that turn, replayed with fetch), (2) as a turn through the gateway inbox and the runner in
// a running box (startTurn → the runner's done report; no Temporal), and (3) the full path: a
// message signalled to the session workflow (sendToAgent) until the turn activity posts the reply,
// split into signal → turn activity, the activity's turn, and activity → reply posted.
// Usage: node bench/agent-turn.ts [turns=60]
import { setTimeout as sleep } from 'node:timers/promises';
import { createDeps } from '../src/deps.ts';
import { GatewayRegistry, type SessionGateway } from '../src/agents/gateways.ts';
import type { ConversationPoster } from '../src/agents/poster.ts';
import type { ResolvedAgent } from '../src/policy/agents.ts';
import { temporalGrants } from '../src/grants/grants.ts';
import { createLogger } from '../src/log.ts';
import { createActivities } from '../activities/index.ts';
import { createWorker } from '../src/temporal/worker.ts';
import { openVault } from '../src/vault/open.ts';
import { turnStages } from './agent-history.ts';
import { agentBench, machine, ms, percentile, timeMs } from './agent-setup.ts';

const rounds = Number(process.argv[2] ?? 60);
const warmup = 5;
const pausedRounds = Number(process.argv[3] ?? 20);
const pauseMs = 1_000;
const bench = await agentBench();
const stop = () => void bench.close().finally(() => process.exit(130));
process.once('SIGINT', stop).once('SIGTERM', stop);

/** Stage marks of the Temporal path, filled by the wrapped registry and poster. */
const marks = { activity: 0, startTurn: 0, done: 0, posted: 0 };
let onPosted: () => void = () => undefined;

// The worker's registry, wrapped to stamp when the turn activity asks for its gateway (its first
// step) and when it queues the turn and hears it done.
class StampingRegistry extends GatewayRegistry {
  override async ensure(id: string, agent: ResolvedAgent, used: number): Promise<SessionGateway> {
    marks.activity = performance.now();
    const session = await super.ensure(id, agent, used);
    const inbox = session.inbox as typeof session.inbox & { stamped?: boolean };
    if (!inbox.stamped) {
      inbox.stamped = true;
      const startTurn = inbox.startTurn.bind(inbox);
      inbox.startTurn = (turn, items) => {
        marks.startTurn = performance.now();
        return startTurn(turn, items).then((r) => ((marks.done = performance.now()), r));
      };
    }
    return session;
  }
}

try {
  // (1) and (2): one warm box, turns and direct calls interleaved (the direct call replays the
  // request the runner made in the turn just measured, so both carry the same history).
  const { session } = await bench.open('turn-warm');
  await bench.turn(session, 'hello'); // waits for the runner to start
  // Stamp when each model request reaches the stand-in, to split the inbox turn in two.
  let arrived = 0;
  const requests = bench.fx.model.requests;
  requests.push = (...items) => (
    (arrived = performance.now()),
    Array.prototype.push.apply(requests, items)
  );
  const direct: number[] = [];
  const inbox: number[] = [];
  const toModel: number[] = [];
  const fromModel: number[] = [];
  for (let i = 0; i < rounds + warmup; i++) {
    const start = performance.now();
    await bench.turn(session, `hello ${i}`);
    const end = performance.now();
    const model = arrived;
    const d = await timeMs(() => bench.directCall());
    if (i >= warmup) {
      inbox.push(end - start);
      toModel.push(model - start);
      fromModel.push(end - model);
      direct.push(d);
    }
  }
  // The same, with a pause before each call (turns seconds apart, as people write).
  const pausedDirect: number[] = [];
  const pausedInbox: number[] = [];
  for (let i = 0; i < pausedRounds; i++) {
    await sleep(pauseMs);
    pausedInbox.push(await timeMs(() => bench.turn(session, `hello again ${i}`)));
    await sleep(pauseMs);
    pausedDirect.push(await timeMs(() => bench.directCall()));
  }
  const bodyBytes = JSON.stringify(bench.fx.model.requests.at(-1)?.body).length;

  // (3): the full path through Temporal, on a worker of this process.
  const logger = createLogger({ level: 'warn' });
  const poster: ConversationPoster = {
    post: () => {
      marks.posted = performance.now();
      onPosted();
      return Promise.resolve();
    },
    typing: () => Promise.resolve(),
  };
  const gateways = new StampingRegistry(bench.fx.config, openVault(bench.fx.config), logger);
  const deps = createDeps(bench.fx.config, bench.fx.cards, {
    grants: temporalGrants(bench.fx.client),
    logger,
    client: () => Promise.resolve(bench.fx.client),
    gateways,
    poster,
  });
  const worker = await createWorker({
    config: bench.fx.config,
    logger,
    activities: createActivities(deps),
  });
  const running = worker.run();
  const full: number[] = [];
  const stages = { toActivity: [] as number[], turn: [] as number[], toPost: [] as number[] };
  let workflowId = '';
  try {
    for (let i = 0; i < rounds + warmup + 1; i++) {
      const posted = new Promise<void>((r) => (onPosted = r));
      const start = performance.now();
      workflowId = await bench.fx.send(bench.agent.id, 'bench-temporal', `hello ${i}`);
      await Promise.race([
        posted,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no reply in 60 s')), 60_000)),
      ]);
      if (i > warmup) {
        full.push(marks.posted - start);
        stages.toActivity.push(marks.activity - start);
        stages.turn.push(marks.done - marks.startTurn);
        stages.toPost.push(marks.posted - marks.done);
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await gateways.closeAll();
  }

  const history = await turnStages(bench.fx.client.workflow.getHandle(workflowId));

  const row = (what: string, v: number[], base?: number[]) =>
    `| ${what} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 95))} | ${ms(percentile(v, 99))} | ${
      base ? `+${ms(percentile(v, 50) - percentile(base, 50))}` : '—'
    } |`;
  console.log(
    `### Agent turn overhead, warm sandbox (${rounds} turns each after ${warmup} warm-up; request body ≈ ${bodyBytes} B at the end)\n\nMachine: ${machine()}\n`,
  );
  console.log(
    '| path | p50 | p95 | p99 | overhead (p50 − direct p50) |\n| --- | --- | --- | --- | --- |',
  );
  console.log(row('direct chat-completions call to the stand-in (fetch from the host)', direct));
  console.log(row('turn via gateway inbox + runner in the box (startTurn → done)', inbox, direct));
  console.log(row('  of which: startTurn → the model request reaches the stand-in', toModel));
  console.log(
    row('  of which: request at the stand-in → done report (its answer included)', fromModel),
  );
  console.log(
    row(
      `direct call, ${pauseMs / 1000} s after the last one (${pausedRounds} calls)`,
      pausedDirect,
    ),
  );
  console.log(
    row(
      `turn via gateway inbox, ${pauseMs / 1000} s after the last one (${pausedRounds} turns)`,
      pausedInbox,
      pausedDirect,
    ),
  );
  console.log(row('full path: sendToAgent signal → reply posted (Temporal)', full, direct));
  console.log(row('  of which: signal → turn activity running', stages.toActivity));
  console.log(row('  of which: the activity’s turn (startTurn → done)', stages.turn));
  console.log(row('  of which: turn done → reply posted', stages.toPost));
  console.log('\n| full path, Temporal stages from the history (server times) | p50 | p95 | p99 |');
  console.log('| --- | --- | --- | --- |');
  for (const [stage, all] of Object.entries(history)) {
    const v = all.slice(warmup + 1);
    if (v.length > 0)
      console.log(
        `| ${stage} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 95))} | ${ms(percentile(v, 99))} |`,
      );
  }
  const overhead = percentile(inbox, 50) - percentile(direct, 50);
  console.log(
    `\nTurn overhead on a warm box (p50 inbox turn − p50 direct call): **${ms(overhead)}** (goal ≤ 50 ms)`,
  );
} finally {
  await bench.close();
}
