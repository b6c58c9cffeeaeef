// A long conversation hands over to a fresh run (continue-as-new) between turns: on a private dev
// server that suggests continue-as-new after a few dozen history events, twelve messages to one
// agent session run twelve turns across several runs of the same workflow id, with the turn count,
// tokens and the last replies carried over and no message lost or answered twice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sessionFixture, type SessionFixture } from '../helpers/sessions.ts';
import { killProcess, startDevServer } from '../helpers/temporal.ts';

const dir = mkdtempSync(join(tmpdir(), 'airlock-handover-'));
let server: Awaited<ReturnType<typeof startDevServer>> | undefined;
let fx: SessionFixture | undefined;
const messages = 12;

before(async () => {
  server = await startDevServer(join(dir, 'temporal.db'), undefined, {
    'limit.historyCount.suggestContinueAsNew': 40,
  });
  fx = await sessionFixture(
    Array.from({ length: messages }, (_, i) => ({
      name: `m${i + 1}`,
      afterUser: `message ${i + 1}.`,
      text: `answer ${i + 1}`,
    })),
    (y) => y,
    { TEMPORAL_ADDRESS: server.address },
  );
  await fx.startSessionWorker();
});
after(async () => {
  await fx?.close();
  if (server) await killProcess(server.child);
  rmSync(dir, { recursive: true, force: true });
});

test(
  'a long session continues as new between turns and loses nothing',
  { timeout: 180_000 },
  async () => {
    assert.ok(fx);
    let id = '';
    for (let i = 1; i <= messages; i++) {
      id = await fx.send(fx.support, 'cli-long', `message ${i}.`);
      await fx.waitForStatus(id, (s) => s.turn >= i && s.state !== 'working', `turn ${i}`);
    }
    const status = await fx.waitForReply(id, messages - 1);
    assert.equal(status.turn, messages);
    assert.deepEqual(
      status.replies.map((r) => r.text),
      Array.from({ length: messages }, (_, i) => `answer ${i + 1}`),
    );
    assert.deepEqual(
      fx.model.used,
      Array.from({ length: messages }, (_, i) => `m${i + 1}`),
    );
    // Several runs of the same workflow id, chained by continue-as-new.
    const runs = [];
    for await (const w of fx.client.workflow.list({ query: `WorkflowId = "${id}"` })) runs.push(w);
    assert.ok(runs.length >= 2, `expected a handover, saw ${runs.length} run(s)`);
    assert.ok(runs.some((r) => r.status.name === 'CONTINUED_AS_NEW'));
    assert.equal(runs.filter((r) => r.status.name === 'RUNNING').length, 1);
  },
);
