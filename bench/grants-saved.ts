// How many approval cards grants save: a replay of N refund requests from the support agent
// (amounts 10–200, three currencies, in arrival order), run twice against the real dev server:
// once where approvers click "Approve" (no grant), once where they click "Approve for 8 hours"
// (grant key field: currency). Counts the cards each run needed.
import { randomUUID } from 'node:crypto';
import { requestAction } from '../src/actions/request.ts';
import { approvalDecisionSignal, statusQuery } from '../workflows/sensitive-action/messages.ts';
import { actionFixture, click, people } from '../test/helpers/actions.ts';
import { machine } from './stats.ts';

const n = Number(process.argv[2] ?? 300);
const run = randomUUID().slice(0, 6);
// A fixed pseudo-random replay so both runs see the same requests.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const replay = Array.from({ length: n }, () => ({
  amount: 10 + Math.floor(rand() * 190),
  currency: ['EUR', 'USD', 'GBP'][Math.floor(rand() * 3)] as string,
}));

async function replayWith(
  grant: boolean,
): Promise<{ cards: number; executed: number; ms: number }> {
  const fx = await actionFixture((yaml) =>
    yaml.replace(
      '      grants: [once, session]\n',
      '      grants: [once, session, duration]\n      grantMaxDuration: 8h\n',
    ),
  );
  const worker = await fx.startWorker();
  const started = performance.now();
  let executed = 0;
  for (const [i, r] of replay.entries()) {
    const { workflowId, handle } = await requestAction(fx.client, fx.config, {
      agent: 'support-bot',
      capability: 'refunds-api',
      method: 'POST',
      path: '/refunds',
      body: {
        amount: r.amount,
        currency: `${r.currency}-${run}-${grant ? 'g' : 'n'}`,
        order: `R-${i}`,
      },
    });
    // The approver answers every card that appears.
    for (;;) {
      const s = await handle.query(statusQuery);
      if (
        s.state === 'pending' &&
        s.requestHash &&
        fx.cards.posted.some((c) => c.messageId === `card-${workflowId}`)
      ) {
        await handle.signal(
          approvalDecisionSignal,
          click(
            people.alice,
            'approve',
            s.requestHash,
            grant ? { grant: { kind: 'duration' } } : {},
          ),
        );
        break;
      }
      if (!['deciding', 'pending'].includes(s.state)) break;
      await new Promise((res) => setTimeout(res, 5));
    }
    if ((await handle.result()).outcome === 'executed') executed++;
  }
  const ms = performance.now() - started;
  await worker.stop();
  await fx.close();
  return { cards: fx.cards.posted.length, executed, ms };
}

const without = await replayWith(false);
const withGrants = await replayWith(true);
const needing = replay.filter((r) => r.amount > 50).length;
console.log(
  `### Cards saved by grants (${n} refund requests, ${needing} above the 50 limit)\n\nMachine: ${machine()}\n`,
);
console.log('| approvers click | cards posted | executed | wall time |\n| --- | --- | --- | --- |');
console.log(
  `| Approve (no grant) | ${without.cards} | ${without.executed} | ${(without.ms / 1000).toFixed(1)} s |`,
);
console.log(
  `| Approve for 8 hours (key: currency) | ${withGrants.cards} | ${withGrants.executed} | ${(withGrants.ms / 1000).toFixed(1)} s |`,
);
console.log(
  `\nCards saved: **${without.cards - withGrants.cards}** of ${without.cards} (${(100 * (1 - withGrants.cards / without.cards)).toFixed(1)}%).`,
);
process.exit(0);
