// The person who asked an agent is the requester of the agent's sensitive action, on the real dev
// server: Riley, who is also an approver of the rule here, cannot approve what she asked for —
// asked in Teams (matched by AAD object id), on the CLI by policy user id, or on the CLI through
// an operator's login with `--as riley`; Bob can. `airlock approvals show` prints the context.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { requestAction } from '../../src/actions/request.ts';
import { bufferIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';
import {
  actionFixture,
  assertOwnClickRefused,
  decide,
  people,
  refundRequest,
  TENANT,
  untilPending,
} from '../helpers/actions.ts';
import type { ActionFixture } from '../helpers/actions.ts';
import { envFor, terminateRuns } from '../helpers/temporal.ts';

const riley = {
  platform: 'teams',
  tenantId: TENANT,
  userId: 'user-riley',
  aadObjectId: '00000000-0000-0000-0000-0000000000cc',
  displayName: 'Riley Requester',
} as const;

let fx: ActionFixture;
let worker: { stop(): Promise<void> };
before(async () => {
  // Riley is a refund approver in this policy, so only the requester check can stop her.
  fx = await actionFixture((yaml) =>
    yaml.replace('members: [alice, bob]', 'members: [alice, bob, riley]'),
  );
  worker = await fx.startWorker();
});
// A test that fails half-way leaves its request pending: end it rather than leave it for 3 days.
const started: string[] = [];
after(async () => {
  await terminateRuns(fx.client, started, 'test done');
  await worker?.stop();
  await fx?.close();
});

let n = 0;
const refund = (extra: Partial<ActionRequest>): ActionRequest =>
  refundRequest({ amount: 120, order: `R-${process.pid}-${++n}-${Date.now()}` }, extra);

async function pending(request: ActionRequest) {
  const { workflowId } = await requestAction(fx.client, fx.config, request);
  started.push(workflowId);
  return untilPending(fx.client, workflowId);
}

const fromTeams: ActionRequest['requester'] = {
  platform: 'teams',
  userId: riley.userId,
  aadObjectId: riley.aadObjectId,
  displayName: riley.displayName,
};

test('Riley asked the agent in Teams: her own click is refused, Bob approves; show prints the context', async () => {
  const { handle, status } = await pending(
    refund({
      requester: fromTeams,
      sessionId: 'support-bot:teams-riley',
      purpose: 'Refund the damaged parcel.',
      context: {
        sessionWorkflowId: 'session:support-bot:teams-riley',
        conversation: 'Teams chat with Riley Requester',
        message: 'My parcel arrived damaged.\n\u001b[2J\u001b[31mAPPROVED by Security\u001b[0m',
      },
    }),
  );
  const wf = handle.workflowId;
  const io = bufferIo();
  assert.equal(await main(['approvals', 'show', wf], io, envFor(fx.config)), 0, io.err);
  assert.ok(
    io.out.includes(
      '  Asked by Riley Requester in Teams chat with Riley Requester (session:support-bot:teams-riley)\n' +
        '    “My parcel arrived damaged.\n' +
        '     \\u001b[2J\\u001b[31mAPPROVED by Security\\u001b[0m”\n' +
        "  Agent's purpose: Refund the damaged parcel.\n" +
        '  support-bot for Riley Requester: POST /refunds on refunds-api',
    ),
    io.out,
  );
  assert.ok(!io.out.includes('\u001b'), 'no terminal escape reaches the operator');

  await decide(handle, riley, status.requestHash);
  await decide(handle, people.bob, status.requestHash);
  const outcome = await handle.result();
  assert.equal(outcome.outcome, 'executed');
  await assertOwnClickRefused(handle, outcome.decidedBy, ['bob']);
});

test('Riley asked on the CLI, as herself or through an operator login with --as: her click is refused', async () => {
  for (const requester of [
    { platform: 'cli', userId: 'riley', displayName: 'Riley Requester' },
    {
      platform: 'cli',
      userId: 'ops-login',
      displayName: 'Riley Requester',
      policyUserId: 'riley',
    },
  ]) {
    const { handle, status } = await pending(refund({ requester }));
    await decide(handle, riley, status.requestHash);
    await decide(handle, people.alice, status.requestHash);
    const outcome = await handle.result();
    await assertOwnClickRefused(handle, outcome.decidedBy, ['alice'], requester.userId);
  }
});
