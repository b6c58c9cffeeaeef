// How many approval cards grants save over a simulated day: N refund requests from the support
// agent (amounts 10–200, three currencies, arriving over 24 hours, busier 08:00–20:00), with
// approvers answering each card 1–10 minutes after it appears. Replayed twice, each on a fresh
// time-skipping test server: approvers click "Approve" (no grant), then "Approve for 8 hours"
// (grant key field: currency), so grants expire on their own durable timers during the day and
// the next large refund in that currency asks again. Usage: node bench/grants-saved.ts [N]
//
// The simulated clock skips only in env.sleep, from one event (an arrival, an answer, a grant's
// end) to the next; between events time skipping is locked, so the clock runs at real speed while
// the workflows work and the schedule slips by milliseconds, not minutes (the footnote says by how
// much). The test server leaks one time-skipping lock whenever an abandoned child (a grant)
// completes after its parent closed (temporalio/sdk-java#2392): the replay sleeps to each grant's
// end, detects the leak (a 1 s sleep that takes 1 s of real time), and releases that one lock.
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { requestAction } from '../src/actions/request.ts';
import { AuditLog } from '../src/audit/log.ts';
import { createDeps } from '../src/deps.ts';
import { temporalGrants } from '../src/grants/grants.ts';
import { createLogger } from '../src/log.ts';
import { installRuntimeLogger, workflowsPath } from '../src/temporal/worker.ts';
import { approvalDecisionSignal, statusQuery } from '../workflows/sensitive-action/messages.ts';
import type { ActionOutcome } from '../workflows/sensitive-action/types.ts';
import type { sensitiveActionWorkflow } from '../workflows/sensitive-action/workflow.ts';
import { actionFixture, click, people } from '../test/helpers/actions.ts';
import { machine } from './stats.ts';
import { timeSkippingEnv } from '../test/helpers/temporal.ts';

const n = Number(process.argv[2] ?? 1000);
const MIN = 60_000;
const HOUR = 60 * MIN;
// A fixed pseudo-random replay so both runs see the same requests at the same times.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const replay = Array.from({ length: n }, () => {
  // Three quarters of the requests arrive in working hours (08:00–20:00), the rest at night.
  const night = rand() * 12 * HOUR;
  const at = rand() < 0.75 ? 8 * HOUR + rand() * 12 * HOUR : (night + 20 * HOUR) % (24 * HOUR);
  return {
    at: Math.floor(at),
    amount: 10 + Math.floor(rand() * 190),
    currency: ['EUR', 'USD', 'GBP'][Math.floor(rand() * 3)] as string,
    answerAfter: Math.floor(MIN + rand() * 9 * MIN),
  };
}).sort((a, b) => a.at - b.at);

type Event =
  | { at: number; kind: 'arrive'; i: number }
  | { at: number; kind: 'answer'; workflowId: string; hash: string }
  | { at: number; kind: 'grant-ends'; grantId: string };

interface Run {
  cards: number;
  executed: number;
  grants: number;
  expired: number;
  leaks: number;
  /** The latest any event was handled after its simulated time (ms). */
  maxLagMs: number;
  simulatedHours: number;
  ms: number;
}

async function replayWith(grant: boolean): Promise<Run> {
  const env = await timeSkippingEnv();
  const testService = env.connection.testService;
  if (!testService) throw new Error('not a time-skipping test server');
  // Not env.client: its result() unlocks time skipping, letting the clock run ahead on its own.
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  const fx = await actionFixture((yaml) =>
    yaml.replace(
      '      grants: [once, session]\n',
      '      grants: [once, session, duration]\n      grantMaxDuration: 8h\n',
    ),
  );
  const taskQueue = `grants-saved-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: createActivities(
      createDeps(fx.config, fx.cards, { grants: temporalGrants(client) }),
    ),
  });
  const audit = new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string);
  const run: Run = {
    cards: 0,
    executed: 0,
    grants: 0,
    expired: 0,
    leaks: 0,
    maxLagMs: 0,
    simulatedHours: 0,
    ms: 0,
  };
  const count = (o: ActionOutcome) => void (o.outcome === 'executed' && run.executed++);
  const started = performance.now();
  await worker.runUntil(async () => {
    const t0 = Number(await env.currentTimeMs());
    const now = async () => Number(await env.currentTimeMs()) - t0;
    const events: Event[] = replay.map((r, i) => ({ at: r.at, kind: 'arrive', i }));
    // Until every request is answered (grants still running then end after the day).
    while (events.some((e) => e.kind !== 'grant-ends')) {
      events.sort((a, b) => a.at - b.at);
      const ev = events.shift() as Event;
      const ahead = ev.at - (await now());
      if (ahead > 0) await env.sleep(ahead);
      run.maxLagMs = Math.max(run.maxLagMs, (await now()) - ev.at);
      if (ev.kind === 'arrive') {
        const r = replay[ev.i] as (typeof replay)[number];
        const { workflowId, handle } = await requestAction(
          client,
          { TEMPORAL_TASK_QUEUE: taskQueue },
          {
            agent: 'support-bot',
            capability: 'refunds-api',
            method: 'POST',
            path: '/refunds',
            body: { amount: r.amount, currency: r.currency, order: `R-${ev.i}` },
          },
        );
        // Wait (at real speed) for it to run through, or to wait with its card out.
        for (;;) {
          const s = await handle.query(statusQuery);
          if (
            s.state === 'pending' &&
            fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`)
          ) {
            events.push({
              at: ev.at + r.answerAfter,
              kind: 'answer',
              workflowId,
              hash: s.requestHash,
            });
            break;
          }
          if (s.state !== 'deciding' && s.state !== 'pending') {
            count(await handle.result());
            break;
          }
          await new Promise((res) => setTimeout(res, 2));
        }
      } else if (ev.kind === 'answer') {
        const handle = client.workflow.getHandle<typeof sensitiveActionWorkflow>(ev.workflowId);
        await handle.signal(
          approvalDecisionSignal,
          click(people.alice, 'approve', ev.hash, grant ? { grant: { kind: 'duration' } } : {}),
        );
        count(await handle.result());
        const given = (await audit.read()).find(
          (a) => a.workflowId === ev.workflowId && a.type === 'granted',
        );
        if (given) {
          run.grants++;
          const until = Date.parse(String(given.detail?.['until'])) - t0;
          // Just past the end, so that no other event's sleep spans a grant ending (see above).
          events.push({
            at: until + 1,
            kind: 'grant-ends',
            grantId: String(given.detail?.['grantId']),
          });
        }
      } else {
        const handle = client.workflow.getHandle(ev.grantId);
        while ((await handle.describe()).status.name === 'RUNNING')
          await new Promise((res) => setTimeout(res, 5));
        run.expired++;
        const t = performance.now();
        await env.sleep(1000);
        if (performance.now() - t > 900) {
          run.leaks++;
          await testService.unlockTimeSkipping({});
        }
      }
    }
    run.simulatedHours = (await now()) / HOUR;
  });
  run.ms = performance.now() - started;
  run.cards = fx.cards.posted.length;
  await env.teardown();
  await fx.close();
  return run;
}

installRuntimeLogger(createLogger({ level: 'warn' }));
const without = await replayWith(false);
const withGrants = await replayWith(true);
const needing = replay.filter((r) => r.amount > 50).length;
const daytime = replay.filter((r) => r.at >= 8 * HOUR && r.at < 20 * HOUR).length;
console.log(
  `### Cards saved by grants over a simulated day (${n} refund requests, ${needing} above the 50 limit, ${daytime} between 08:00 and 20:00)\n\nMachine: ${machine()}\n`,
);
console.log(
  '| approvers click | cards posted | executed | grants given | grants expired in the day | wall time |\n| --- | --- | --- | --- | --- | --- |',
);
const row = (label: string, r: Run) =>
  console.log(
    `| ${label} | ${r.cards} | ${r.executed} | ${r.grants} | ${r.expired} | ${(r.ms / 1000).toFixed(1)} s |`,
  );
row('Approve (no grant)', without);
row('Approve for 8 hours (key: currency)', withGrants);
console.log(
  `\nCards saved: **${without.cards - withGrants.cards}** of ${without.cards} (${(100 * (1 - withGrants.cards / without.cards)).toFixed(1)}%).`,
);
console.log(
  `\nSimulated span: ${without.simulatedHours.toFixed(2)} h and ${withGrants.simulatedHours.toFixed(2)} h; latest event handled ${Math.max(without.maxLagMs, withGrants.maxLagMs)} ms after its simulated time; leaked test-server locks released: ${withGrants.leaks} (of ${withGrants.expired} grant ends).`,
);
process.exit(0);
