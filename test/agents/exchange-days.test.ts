// An exchange whose answer waits for approval longer than the link allows (the time-skipping test
// server, with real Docker, both agents' sandboxes, the gateways and the stand-in model): the
// question is approved, the research agent answers, nobody decides on the answer for three days,
// the approval expires, and the asking agent is told which step ended it and why, with nothing of
// the answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage } from '../../src/dev/model-standin.ts';
import { textOf } from '../../src/dev/model-standin.ts';
import { exchangeStatusQuery } from '../../workflows/agent-exchange/messages.ts';
import { sessionStatusQuery, type SessionStatus } from '../../workflows/agent-session/messages.ts';
import { statusQuery } from '../../workflows/sensitive-action/messages.ts';
import { decide, people } from '../helpers/actions.ts';
import { sessionFixture, timeSkippingWorker, toolTurn } from '../helpers/sessions.ts';
import { timeSkippingHooks } from '../helpers/temporal.ts';

const days = timeSkippingHooks();
test(
  'an answer nobody approves within three days: the asker learns the step and reason, not the answer',
  { timeout: 240_000 },
  async () => {
    const ts = days.env;
    const f = await sessionFixture([]);
    days.cleanup(() => f.close());
    f.model.setScript([
      ...toolTurn(
        ['ask', 'asked'],
        'policy please',
        {
          id: 'd1',
          name: 'ask_agent',
          arguments: { to: f.research, question: 'What is the damage policy?' },
        },
        'Asked research.',
      ),
      { name: 'answer', afterUser: 'Question from agent', text: 'SECRET-ANSWER: thirty days.' },
      { name: 'no-answer', afterUser: 'got no answer', text: 'Research did not answer in time.' },
    ]);
    const { worker, send } = await timeSkippingWorker(f, days);
    await worker.runUntil(async () => {
      const id = await send('cli-xdays', 'damage policy please');
      const session = ts.client.workflow.getHandle(id);
      const poll = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
        for (let i = 0; i < 600; i++) {
          const v = await read().catch(() => undefined);
          if (v !== undefined && ok(v)) return v;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('timed out');
      };
      const status = (): Promise<SessionStatus> => session.query(sessionStatusQuery);
      const first = await poll(
        status,
        (s) => s.replies.length === 1 && s.pendingActions.length === 1,
      );
      const exchangeId = first.pendingActions[0]?.workflowId ?? '';
      const short = exchangeId.replace(/^exchange:/, '');

      const question = ts.client.workflow.getHandle(`action:${short}.question`);
      const pending = await poll(
        () => question.query(statusQuery),
        (s) => s.state === 'pending',
      );
      await decide(question, people.alice, pending.requestHash);
      const exchange = ts.client.workflow.getHandle(exchangeId);
      await poll(
        () => exchange.query(exchangeStatusQuery),
        (s) => s.step === 'answer-approval',
      );

      await ts.sleep('3 days');
      const ended = await poll(
        () => exchange.query(exchangeStatusQuery),
        (s) => s.state !== 'working',
      );
      assert.equal(ended.state, 'canceled');
      assert.equal(ended.step, 'answer-approval');
      assert.match(ended.reason ?? '', /expired/);
      const told = await poll(status, (s) => s.replies.length === 2);
      assert.equal(told.replies[1]?.text, 'Research did not answer in time.');
      const seen = f.model.requests
        .flatMap((r) => (r.body as { messages?: ChatMessage[] } | undefined)?.messages ?? [])
        .map((m) => (m.role === 'user' ? textOf(m.content) : ''))
        .find((t) => t.includes('got no answer'));
      assert.ok(seen);
      assert.match(seen, /canceled at answer-approval/);
      assert.doesNotMatch(seen, /SECRET-ANSWER/);
    });
  },
);
