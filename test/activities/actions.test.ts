// The action activities' part in refusing a replayed run, in an activity context of a given run
// (the SDK's mock activity environment) over a real audit log: an execution claimed by another run
// is refused before anything is sent (`replay_refused`, the API never called); a click signed for
// another run does not verify; an audit id that already holds another event fails loudly instead
// of dropping that event, while a retried step appends once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActionActivities } from '../../activities/actions.ts';
import { claimExecution } from '../../src/audit/ledger.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { decisionChecker } from '../../src/receipts/policy.ts';
import type { CredentialStore } from '../../src/vault/types.ts';
import type { AuditEntry } from '../../workflows/sensitive-action/types.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';
import { click, people, recordingCards } from '../helpers/actions.ts';

const dir = mkdtempSync(join(tmpdir(), 'airlock-actions-act-'));
let hits = 0;
const api = createServer((_req, res) => {
  hits++;
  res.end('{}');
});
let baseUrl = '';
before(async () => {
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
after(async () => {
  api.closeAllConnections();
  await new Promise<void>((r) => api.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const workflowId = 'action:ledger-1';
const request: ActionRequest = {
  agent: 'support-bot',
  capability: 'refunds-api',
  method: 'POST',
  path: '/refunds',
  body: { amount: 20 },
};
const decision = (): PinnedDecision => ({
  decision: 'allow',
  rule: 'refunds-small',
  reason: 'small',
  policyHash: 'p',
  approvers: [],
  quorum: 1,
  allowSelfApproval: false,
  rejectionsToDeny: 1,
  reminderEveryMs: null,
  escalation: [],
  expiry: { afterMs: 60_000, outcome: 'deny' },
  grants: [],
  grantKeyFields: [],
  cards: { teams: null, slack: null },
  capability: {
    id: 'refunds-api',
    baseUrl,
    methods: ['POST'],
    paths: ['/refunds'],
    credential: 'refunds-api-key',
  },
  grantIds: { duration: 'grant:d', session: null },
  grantFields: {},
  grant: null,
  requestHash: 'h'.repeat(64),
  shortHash: 'hhhhhhhhhhhh',
});

/** The activities over `audit`, run as activities of run `runId` of the workflow. */
function activitiesOf(audit: AuditLog, runId: string) {
  // The vault is never reached in these tests: any use of it fails them.
  const vault = new Proxy({} as CredentialStore, {
    get: () => () => Promise.reject(new Error('the vault was used')),
  });
  const acts = createActionActivities({
    policy: () => Promise.reject(new Error('no policy here')),
    vault,
    audit,
    cards: recordingCards(),
    checkDecision: decisionChecker([], false),
  });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId, runId } });
  const run = <R>(fn: () => Promise<R>): Promise<R> => env.run<[], R, () => Promise<R>>(fn);
  return { acts, run };
}

test('an execution another run claimed is refused before anything is sent', async () => {
  const audit = new AuditLog(join(dir, 'claim.jsonl'));
  const held = await claimExecution(audit, {
    workflowId,
    runId: 'run-A',
    agent: request.agent,
    capability: request.capability,
    requestHash: decision().requestHash,
    policyRule: 'refunds-small',
    policyHash: 'p',
  });
  assert.deepEqual(held, { ok: true });
  const { acts, run } = activitiesOf(audit, 'run-B');
  await assert.rejects(
    run(() => acts.executeAction({ workflowId, request, decision: decision() })),
    (err: Error & { type?: string }) =>
      err.type === 'replay_refused' &&
      /already claimed for execution by run run-A/.test(err.message),
  );
  assert.equal(hits, 0, 'the API was never called');
  const { execution } = await run(() =>
    acts.checkRecordAndExecute({
      workflowId,
      decisions: [click(people.bob, 'approve', 'hhhhhhhhhhhh', { runId: 'run-B' })],
      record: entry('decision', 'run-B#1'),
      request,
      decision: decision(),
    }),
  );
  assert.ok(execution && 'refused' in execution, JSON.stringify(execution));
  assert.equal(hits, 0, 'the API was never called');
});

test('a click made for another run does not count; one for this run, or naming none, does', async () => {
  const { acts, run } = activitiesOf(new AuditLog(join(dir, 'clicks.jsonl')), 'run-B');
  const verdicts = await run(() =>
    acts.checkDecisionSignatures({
      workflowId,
      decisions: [
        click(people.bob, 'approve', 'h', { runId: 'run-A' }),
        click(people.bob, 'approve', 'h', { runId: 'run-B' }),
        click(people.bob, 'approve', 'h'),
      ],
    }),
  );
  assert.deepEqual(
    verdicts.map((v) => v.ok),
    [false, true, true],
  );
  assert.match(String((verdicts[0] as { why: string }).why), /another run \(run-A\)/);
});

test('an audit id holding another event fails loudly; a retried step appends once', async () => {
  const audit = new AuditLog(join(dir, 'ids.jsonl'));
  const { acts, run } = activitiesOf(audit, 'run-A');
  await run(() => acts.recordAudit(entry('requested', 'x#1')));
  await run(() => acts.recordAudit(entry('requested', 'x#1'))); // the same step, retried
  await assert.rejects(
    run(() => acts.recordAudit(entry('executed', 'x#1'))),
    (err: Error & { type?: string }) => err.type === 'audit_id_taken',
  );
  assert.equal((await audit.read()).length, 1);
});

function entry(type: AuditEntry['type'], id: string): AuditEntry {
  return {
    id: `${workflowId}@${id}`,
    type,
    at: new Date().toISOString(),
    workflowId,
    agent: request.agent,
    capability: request.capability,
    requestHash: decision().requestHash,
    policyRule: 'refunds-small',
    policyHash: 'p',
  };
}
