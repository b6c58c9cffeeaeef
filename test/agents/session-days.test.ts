// An agent's refund waits three days for an approver (the time-skipping test server), with real
// Docker, the runner image, the gateway and the stand-in model: the sandbox is stopped while the
// session waits, the approval arrives on day three, and the agent, woken in its sandbox, tells the
// person the outcome.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionStatusQuery, type SessionStatus } from '../../workflows/agent-session/messages.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { decide, people } from '../helpers/actions.ts';
import { refundCall, sessionFixture, timeSkippingWorker, toolTurn } from '../helpers/sessions.ts';
import { timeSkippingHooks } from '../helpers/temporal.ts';

const days = timeSkippingHooks();

test(
  'a refund approved after three days: the sandbox sleeps meanwhile, then the agent reports',
  { timeout: 240_000 },
  async () => {
    const ts = days.env;
    const f = await sessionFixture(
      [
        ...toolTurn(
          ['ask', 'wait'],
          'refund 120',
          refundCall(
            'r1',
            { order: 'A-1002', amount: 120, currency: 'EUR', reason: 'damaged' },
            'Refund the damaged parcel A-1002.',
          ),
          'Your refund waits for an approver.',
        ),
        {
          name: 'outcome',
          when: (m) => JSON.stringify(m.at(-1)?.content ?? '').includes('Update on action'),
          text: 'Your refund of 120 EUR was approved and paid.',
        },
      ],
      // The request may wait a week; the sandbox sleeps after a minute.
      (yaml) =>
        yaml
          .replace('expiry: { after: 3d, outcome: deny }', 'expiry: { after: 7d, outcome: deny }')
          .replaceAll('idleTimeout: 15m', 'idleTimeout: 1m'),
    );
    days.cleanup(() => f.close());
    const { worker, send } = await timeSkippingWorker(f, days);
    await worker.runUntil(async () => {
      const id = await send('cli-days', 'please refund 120 for A-1002');
      const session = ts.client.workflow.getHandle(id);
      const status = async (check: (s: SessionStatus) => boolean): Promise<SessionStatus> => {
        for (let i = 0; i < 600; i++) {
          const s = await session.query(sessionStatusQuery).catch(() => undefined);
          if (s && check(s)) return s;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('timed out waiting for the session');
      };
      const first = await status((s) => s.replies.length === 1 && s.pendingActions.length === 1);
      assert.equal(first.replies[0]?.text, 'Your refund waits for an approver.');
      const action = first.pendingActions[0];
      assert.ok(action);

      await ts.sleep('3 days');
      const asleep = await status((s) => s.state === 'idle');
      assert.equal(asleep.pendingActions.length, 1, 'still waiting after three days');
      const [box] = await f.driver.docker.listContainers({
        all: true,
        filters: { label: [`airlock.session=${f.support}:cli-days`] },
      });
      assert.equal(box?.State, 'exited', 'the sandbox is stopped while the session waits');

      const approval = ts.client.workflow.getHandle(action.workflowId);
      const pending = await approval.query(statusQuery);
      await decide(approval, people.alice, pending.requestHash);
      const done = await status((s) => s.replies.length === 2);
      assert.equal(done.replies[1]?.text, 'Your refund of 120 EUR was approved and paid.');
      assert.equal(f.api.refunds.length, 1);
    });
  },
);
