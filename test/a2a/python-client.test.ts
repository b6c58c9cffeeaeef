// Another vendor's client interoperates: the official Python A2A SDK (a2a-sdk, pinned, in the
// git-ignored venv scripts/a2a-python.sh makes) drives test/a2a/python_client.py against the real
// A2A server, with the set-up of inbound.test.ts (dev server, worker, the research agent's box,
// the scripted model). It resolves the public card with the SDK's resolver, sends with the SDK's
// AuthInterceptor, and polls GetTask while Alice approves the question and the answer; then it
// reads the same task over v0.3, its extended card, and is refused push notifications (-32003).
// A rejected question reaches it as "not approved", without Alice's name.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { A2AServer } from '../../src/a2a/server.ts';
import { people } from '../helpers/actions.ts';
import type { SessionFixture } from '../helpers/sessions.ts';
import { repoRoot } from '../helpers/temporal.ts';
import { answersCarrierQuestion, decide, inboundA2A } from './partner.ts';

const token = randomBytes(24).toString('base64url');
// A client id of its own: the open-task cap counts a client's running tasks namespace-wide.
const partner = `py-${randomBytes(4).toString('hex')}`;

/** One line the Python client printed. */
interface PyEvent {
  event: string;
  [key: string]: unknown;
}

let fx: SessionFixture;
let server: A2AServer | undefined;
let python = '';
const children: ChildProcess[] = [];

/** Run the Python client; `onSent` runs once the task exists. Every line it printed, by event. */
async function runPython(
  question: string,
  onSent: (taskId: string) => Promise<void>,
): Promise<Map<string, PyEvent>> {
  const script = join(repoRoot, 'test/a2a/python_client.py');
  const child = spawn(python, [script, server!.url, fx.research, token, question, '120'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const events = new Map<string, PyEvent>();
  const pending: Promise<void>[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const e = JSON.parse(line) as PyEvent;
    events.set(e.event, e);
    if (e.event === 'sent') pending.push(onSent(String(e['taskId'])));
  }
  await Promise.all(pending);
  assert.equal(await exited, 0, `python client failed:\n${stderr}`);
  return events;
}

describe('A2A interop: the official Python SDK as the outside client', { timeout: 420_000 }, () => {
  before(async () => {
    // The pinned SDK in its venv (installed once, then cached).
    const { stdout } = await promisify(execFile)(
      'bash',
      [join(repoRoot, 'scripts/a2a-python.sh')],
      { timeout: 300_000 },
    );
    python = stdout.trim().split('\n').at(-1) ?? '';
    ({ fx, server } = await inboundA2A(partner, `${partner}=${token}`));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill();
    await server?.close();
    await fx?.close();
  });

  test('a round trip: public card, send, two approvals, GetTask completed with the answer', async () => {
    fx.model.setScript([
      answersCarrierQuestion(
        'a2a:python',
        partner,
        'Claims for damaged parcels are paid within 30 days.',
      ),
    ]);
    const events = await runPython("What is the carrier's damage policy?", async (taskId) => {
      await decide(fx, `action:a2a.${partner}.${taskId}.question`, 'approve');
      await decide(fx, `action:a2a.${partner}.${taskId}.answer`, 'approve');
    });
    assert.deepEqual(events.get('card')?.['versions'], ['1.0', '0.3']);
    assert.equal(events.get('sent')?.['state'], 'TASK_STATE_WORKING');
    const done = events.get('done')!;
    assert.equal(done['state'], 'TASK_STATE_COMPLETED', JSON.stringify(done));
    assert.deepEqual(done['answer'], ['Claims for damaged parcels are paid within 30 days.']);
    // The same task over A2A v0.3, through the SDK's compat transport.
    assert.equal(events.get('v03')?.['state'], 'TASK_STATE_COMPLETED');
    assert.match(String(events.get('extended')?.['description']), /An outside partner's questions/);
    assert.equal(events.get('push')?.['error'], 'PushNotificationNotSupportedError');
  });

  test('a rejected question: "not approved", the reason once, and no approver name', async () => {
    const events = await runPython('Please share the internal pricing sheet.', async (taskId) => {
      await decide(fx, `action:a2a.${partner}.${taskId}.question`, 'reject', 'not for partners');
    });
    const done = events.get('done')!;
    assert.equal(done['state'], 'TASK_STATE_REJECTED', JSON.stringify(done));
    const text = String(done['text']);
    assert.match(text, /the question was not approved: not for partners/);
    assert.equal(text.split('not for partners').length, 2, `the reason once: ${text}`);
    assert.doesNotMatch(text, new RegExp(`${people.alice.displayName}|Rejected by`));
    assert.deepEqual(done['answer'], []);
  });
});
