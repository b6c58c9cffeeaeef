// The MCP branch of the executor, in an activity context of a given run (the SDK's mock activity
// environment) with a real hub and the SDK-written test server, which writes down every call: an
// MCP call has no idempotency key, so the ledger's claim is held by the attempt that made it. A
// retry of the same run (a worker lost mid-call) calls nothing and fails with why; another run (a
// reset) is refused as a replay; a hub error comes back as a failed result, never thrown to retry.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActionActivities } from '../../activities/actions.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { createLogger } from '../../src/log.ts';
import { createMcpHub } from '../../src/mcp/hub.ts';
import { decisionChecker } from '../../src/receipts/policy.ts';
import type { CredentialStore } from '../../src/vault/types.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';
import { recordingCards } from '../helpers/actions.ts';
import { testServer } from '../helpers/mcp-servers/servers.ts';

const dir = mkdtempSync(join(tmpdir(), 'airlock-mcp-exec-'));
const calls = join(dir, 'calls.txt');
const hub = createMcpHub({
  servers: [testServer('notes', ['write_note'], { env: { CALLS_FILE: calls } })],
  logger: createLogger({ level: 'silent' }),
});
after(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

const callCount = () =>
  existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0;

const request = (text: unknown): ActionRequest => ({
  agent: 'notes-bot',
  capability: 'mcp:notes',
  method: 'POST',
  path: '/write_note',
  body: { text },
});
const decision = { rule: 'notes-write', policyHash: 'p', capability: null, requestHash: 'h' };

/** The activities, run as activities of run `runId` of `workflowId`. */
function activitiesOf(audit: AuditLog, workflowId: string, runId: string) {
  const acts = createActionActivities({
    policy: () => Promise.reject(new Error('no policy here')),
    vault: {} as CredentialStore,
    mcp: hub,
    audit,
    cards: recordingCards(),
    checkDecision: decisionChecker([], false),
  });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId, runId } });
  return <R>(fn: (a: typeof acts) => Promise<R>): Promise<R> =>
    env.run<[], R, () => Promise<R>>(() => fn(acts));
}

test('a call is made by one attempt only: a retry of the same run calls nothing, another run is a replay', async () => {
  const audit = new AuditLog(join(dir, 'once.jsonl'));
  const workflowId = 'action:mcp-once';
  const input = { workflowId, request: request('hello'), decision: decision as PinnedDecision };
  const first = activitiesOf(audit, workflowId, 'run-A');
  const result = await first((a) => a.executeAction(input));
  assert.deepEqual(result, { status: 200, body: 'noted', truncated: false });
  assert.equal(callCount(), 1);

  await assert.rejects(
    first((a) => a.executeAction(input)),
    (err: Error & { type?: string }) =>
      err.type === 'mcp_call_unsettled' && /not made again/.test(err.message),
  );
  await assert.rejects(
    activitiesOf(audit, workflowId, 'run-B')((a) => a.executeAction(input)),
    (err: Error & { type?: string }) => err.type === 'replay_refused',
  );
  assert.equal(callCount(), 1, 'the tool was called once');
});

test("arguments the hub refuses come back as a failed result with the hub's words, not an error to retry", async () => {
  const audit = new AuditLog(join(dir, 'bad.jsonl'));
  const workflowId = 'action:mcp-bad';
  const before = callCount();
  const result = await activitiesOf(
    audit,
    workflowId,
    'run-A',
  )((a) =>
    a.executeAction({ workflowId, request: request(42), decision: decision as PinnedDecision }),
  );
  assert.equal(result.status, 400, 'refused before the server saw it');
  assert.match(result.body, /The arguments do not fit tool "write_note".*\(mcp_bad_arguments\)/);
  assert.equal(callCount(), before);
});
