// Exchange overhead (issue 11): agentExchangeWorkflow started with the client (support asks
// research over the demo link, strict, answers up to 2,000 characters) until its completed result,
// with the research agent's real session answering in its sandbox from the scripted stand-in model,
// (a) with both approvals auto-granted by the link (approveQuestion/approveAnswer false: the
// exchange runs no approval child at all) and (b) with both approvals required, given by session
// grants (clicked once in warm-up; each later step still runs its child approval workflow, which
// finds the grant and allows at once). Baseline, interleaved in the same rounds: a bare parent
// workflow starting a child whose one activity answers (bench/bare-exchange-worker.ts). The Airlock
// worker runs in this process (the fixture's, with the recording card sender: workers/main.ts has no
// chat surface here, and the first grant-phase round posts cards); the bare worker is a process of
// its own. Each exchange's history splits it into stages (bench/exchange-history.ts).
// Usage: node bench/exchange.ts [rounds=30]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { AuditLog } from '../src/audit/log.ts';
import { temporalGrants } from '../src/grants/grants.ts';
import { resolveLink } from '../src/policy/links.ts';
import { currentPolicy } from '../src/policy/current.ts';
import { exchangeConversationKey, exchangeWorkflowId } from '../workflows/agent-exchange/ids.ts';
import { sessionWorkflowId } from '../workflows/agent-session/ids.ts';
import { actionWorkflowId } from '../workflows/sensitive-action/ids.ts';
import { approvalDecisionSignal, statusQuery } from '../workflows/sensitive-action/messages.ts';
import { agentExchangeWorkflow } from '../workflows/index.ts';
import { click, people, signed } from '../test/helpers/actions.ts';
import { sessionFixture } from '../test/helpers/sessions.ts';
import { envFor, killProcess, repoRoot, waitForLine } from '../test/helpers/temporal.ts';
import { bareStages, exchangeStages, type ExchangeStages } from './exchange-history.ts';
import { bareParentWorkflow } from './bare-exchange-workflows.ts';
import { machine, ms, percentile } from './stats.ts';

const rounds = Number(process.argv[2] ?? 30);
const warmup = 3;
const roundLimitMs = 60_000;

/** Research's answer: about 1,400 characters of plain prose, under the link's 2,000. */
const ANSWER = [
  'The carrier pays claims for damaged parcels within 30 days of a complete claim.',
  'A claim is complete when it has the tracking number, photos of the outer box and of the damaged item, and the original invoice.',
  'Claims must be filed within 14 days of delivery; after that the carrier only reviews them case by case and rarely pays.',
  'For parcels insured above the standard cover, the carrier may send an inspector, which adds about a week.',
  'Refunds go to the shipper, not the recipient, so the customer is refunded by us and we recover the amount from the carrier.',
  'Partial damage is paid at the repair cost when a repair is possible, otherwise at the invoice value less shipping.',
  'Perishable goods and items packed by the customer are excluded unless the packaging met the carrier’s published guidelines.',
  'The claims desk answers within two business days; urgent cases can be escalated through the account manager.',
  'In short: file within 14 days with photos and the invoice, refund the customer, and the carrier reimburses us within 30 days.',
].join(' ');

// Fixed token counts, so the target session's token budget lasts every round (its history grows).
const fx = await sessionFixture([
  { name: 'answer', reusable: true, text: ANSWER, usage: { prompt: 50, completion: 350 } },
]);
const taskQueue = fx.config.TEMPORAL_TASK_QUEUE;
process.stderr.write(`bench agents: ${fx.support}, ${fx.research}\n`);
const bareQueue = `bench-bare-exchange-${randomUUID()}`;
const askerSession = `${fx.support}:bench-exchange`;
const target = fx.client.workflow.getHandle(
  sessionWorkflowId(fx.research, exchangeConversationKey(fx.support)),
);
let bareWorker: ChildProcess | undefined;
let inFlight: WorkflowHandle | undefined;

let closing: Promise<void> | undefined;
/** Stop and remove everything the bench started; once, however often it is called. */
const cleanup = (): Promise<void> => (closing ??= closeAll());

async function closeAll(): Promise<void> {
  await inFlight?.terminate('bench over').catch(() => undefined);
  await target.terminate('bench over').catch(() => undefined);
  const granted = (
    await new AuditLog(fx.config.AIRLOCK_AUDIT_FILE as string).read().catch(() => [])
  )
    .filter((r) => r.type === 'granted')
    .map((r) => r.detail?.['grantId'] as string | undefined);
  for (const id of granted)
    if (id)
      await temporalGrants(fx.client)
        .revoke(id, 'bench over')
        .catch(() => undefined);
  // Anything else still running on the bench's queues (a grant given while a round failed).
  const leftovers = async () => {
    for (const queue of [taskQueue, bareQueue])
      for await (const w of fx.client.workflow.list({
        query: `ExecutionStatus = "Running" AND TaskQueue = "${queue}"`,
      }))
        await fx.client.workflow
          .getHandle(w.workflowId, w.runId)
          .terminate('bench over')
          .catch(() => undefined);
  };
  await leftovers().catch(() => undefined);
  if (bareWorker) await killProcess(bareWorker, 'SIGTERM').catch(() => undefined);
  await fx.close(); // stops the worker; removes both agents' boxes and workspace volumes
}
const stop = () => void cleanup().finally(() => process.exit(130));
process.once('SIGINT', stop).once('SIGTERM', stop);

const wall = (t: number) => performance.timeOrigin + t;
const within = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no result in ${roundLimitMs} ms`)), roundLimitMs),
    ),
  ]);

/**
 * Point the support → research link's approvals at `approve` (the worker reads the file live). The
 * answer's closing summary ("…refund the customer…") is an instruction finding, which the link's
 * default (onInstructions: hold) would show on a card every time: the bench measures the exchange's
 * own cost, so the link lets such text cross as the approvals say (onInstructions: allow).
 */
async function setApprovals(approve: boolean): Promise<void> {
  const file = join(fx.config.AIRLOCK_POLICY_DIR, 'airlock.yaml');
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(`- from: ${fx.support}\n    to: ${fx.research}`);
  if (at < 0) throw new Error('the demo policy has no support → research link');
  const block = text
    .slice(at)
    .replace(/approveQuestion: (true|false)/, `approveQuestion: ${approve}`)
    .replace(
      /approveAnswer: (true|false)(\n {4}onInstructions: allow)?/,
      `approveAnswer: ${approve}\n    onInstructions: allow`,
    );
  writeFileSync(file, text.slice(0, at) + block);
  const link = resolveLink(
    await currentPolicy(fx.config.AIRLOCK_POLICY_DIR)(),
    fx.support,
    fx.research,
  );
  if (link?.approveQuestion !== approve || link.approveAnswer !== approve)
    throw new Error(`the link did not change: ${JSON.stringify(link)}`);
}

/** Approve an exchange step's child approval as Alice, with a session grant, once it is pending. */
async function grantStep(childId: string): Promise<void> {
  const handle = fx.client.workflow.getHandle(childId);
  const deadline = Date.now() + roundLimitMs;
  for (;;) {
    const s = await handle.query(statusQuery).catch(() => undefined);
    if (s?.state === 'pending') {
      const decision = click(people.alice, 'approve', s.requestHash, {
        grant: { kind: 'session' },
      });
      await handle.signal(approvalDecisionSignal, signed(childId, decision));
      return;
    }
    if (Date.now() > deadline) throw new Error(`${childId} never became pending`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Sample {
  total: number;
  stages: ExchangeStages;
}

async function exchangeRound(i: number, clickGrants = false): Promise<Sample> {
  const id = `bench-${randomUUID()}`;
  const t0 = performance.now();
  const handle = await fx.client.workflow.start(agentExchangeWorkflow, {
    taskQueue,
    workflowId: exchangeWorkflowId(id),
    args: [
      {
        from: fx.support,
        to: fx.research,
        askerSessionWorkflowId: sessionWorkflowId(fx.support, 'bench-exchange'),
        askerSessionId: askerSession,
        conversation: 'exchange bench',
        question: `What is the carrier's damage claims policy, and how fast do they pay? (round ${i})`,
        requester: null,
      },
    ],
  });
  inFlight = handle;
  if (clickGrants) {
    // Both settle before a failure is thrown, so no click is still on its way during cleanup.
    const clicks = await Promise.allSettled([
      grantStep(actionWorkflowId(`${id}.question`)),
      grantStep(actionWorkflowId(`${id}.answer`)),
    ]);
    for (const c of clicks) if (c.status === 'rejected') throw c.reason;
  }
  const result = await within(handle.result(), handle.workflowId);
  const t1 = performance.now();
  inFlight = undefined;
  if (result.state !== 'completed' || !result.answer?.text.includes('30 days'))
    throw new Error(`exchange ${handle.workflowId} ended ${result.state}: ${result.reason ?? ''}`);
  return { total: t1 - t0, stages: await exchangeStages(handle, target, wall(t0), wall(t1)) };
}

async function bareRound(i: number): Promise<Sample> {
  const t0 = performance.now();
  const handle = await fx.client.workflow.start(bareParentWorkflow, {
    taskQueue: bareQueue,
    workflowId: `bench-bare-${randomUUID()}`,
    args: [`What is the carrier's damage claims policy? (round ${i})`],
  });
  await within(handle.result(), handle.workflowId);
  const t1 = performance.now();
  const child = fx.client.workflow.getHandle(`${handle.workflowId}.child`);
  return { total: t1 - t0, stages: await bareStages(handle, child, wall(t0), wall(t1)) };
}

/** Warm-up then `rounds` rounds, alternating which side goes first. */
async function phase(grants: boolean): Promise<{ ours: Sample[]; bare: Sample[] }> {
  const ours: Sample[] = [];
  const bare: Sample[] = [];
  for (let i = 0; i < rounds + warmup; i++) {
    const first = grants && i === 0; // the clicks that give the session grants
    let o: Sample;
    let b: Sample;
    if (i % 2 === 0) {
      o = await exchangeRound(i, first);
      b = await bareRound(i);
    } else {
      b = await bareRound(i);
      o = await exchangeRound(i, first);
    }
    if (i >= warmup) {
      ours.push(o);
      bare.push(b);
    }
  }
  return { ours, bare };
}

try {
  bareWorker = spawn(process.execPath, ['bench/bare-exchange-worker.ts'], {
    cwd: repoRoot,
    env: envFor({ ...fx.config, TEMPORAL_TASK_QUEUE: bareQueue }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bareWorker.stderr?.on('data', (c: Buffer) => process.stderr.write(c));
  await waitForLine(bareWorker, /bare exchange worker ready/);
  await fx.startSessionWorker();

  await setApprovals(false);
  const auto = await phase(false);
  await setApprovals(true);
  const granted = await phase(true);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');

  const row = (what: string, v: number[], base: number[]) =>
    `| ${what} | ${v.length} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 95))} | ${ms(percentile(v, 99))} | ${(percentile(v, 50) / percentile(base, 50)).toFixed(1)}× | ${(percentile(v, 99) / percentile(base, 99)).toFixed(1)}× |`;
  const totals = (s: Sample[]) => s.map((x) => x.total);
  console.log(
    `### Exchange round trip vs a bare child workflow (${rounds} interleaved rounds per phase after ${warmup} warm-up)\n\nMachine: ${machine()}; load average at the end ${load}\n`,
  );
  console.log(
    '| path | N | p50 | p95 | p99 | p50 ÷ bare p50 | p99 ÷ bare p99 |\n| --- | --- | --- | --- | --- | --- | --- |',
  );
  console.log(
    row(
      'bare: parent → child workflow → one activity → result',
      totals(auto.bare),
      totals(auto.bare),
    ),
  );
  console.log(
    row(
      'exchange, both steps auto-granted by the link (no approval child)',
      totals(auto.ours),
      totals(auto.bare),
    ),
  );
  console.log(
    row(
      'bare (second phase, interleaved with the row below)',
      totals(granted.bare),
      totals(granted.bare),
    ),
  );
  console.log(
    row(
      'exchange, both steps approved by session grants (two approval children)',
      totals(granted.ours),
      totals(granted.bare),
    ),
  );
  console.log('\nWhere the time goes (from each exchange’s history; server event times):\n');
  console.log(
    '| stage | auto p50 | auto p95 | auto p99 | grants p50 | grants p95 | grants p99 |\n| --- | --- | --- | --- | --- | --- | --- |',
  );
  const names = [...new Set([...auto.ours, ...granted.ours].flatMap((s) => Object.keys(s.stages)))];
  const cells = (s: Sample[], k: string) => {
    const v = s.map((x) => x.stages[k]).filter((x): x is number => x !== undefined && !isNaN(x));
    return v.length === 0
      ? '— | — | —'
      : `${ms(percentile(v, 50))} | ${ms(percentile(v, 95))} | ${ms(percentile(v, 99))}`;
  };
  for (const k of names)
    console.log(`| ${k} | ${cells(auto.ours, k)} | ${cells(granted.ours, k)} |`);
  console.log('\nThe bare round, by stage (both phases):\n');
  console.log('| stage | p50 | p95 | p99 |\n| --- | --- | --- | --- |');
  const bare = [...auto.bare, ...granted.bare];
  for (const k of Object.keys(bare[0]?.stages ?? {})) console.log(`| ${k} | ${cells(bare, k)} |`);
} finally {
  await cleanup();
}
process.exit(0);
