// Many hosts, simulated on one machine: two worker processes with different host ids share the
// task queue, and each also polls its own host queue. A session's turns go to the host its sandbox
// lives on; when that host's worker is killed, the next turn waits briefly on the dead host's
// queue, then any host takes it and the session moves there. Real Temporal, Docker, runner image,
// gateway and stand-in model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { sessionFixture, type SessionFixture } from '../helpers/sessions.ts';
import { envFor, killProcess, spawnWorker } from '../helpers/temporal.ts';

let fx: SessionFixture | undefined;
const workers: Record<string, Awaited<ReturnType<typeof spawnWorker>>> = {};

before(async () => {
  fx = await sessionFixture([
    { name: 'one', afterUser: 'first message', text: 'First answer.' },
    { name: 'two', afterUser: 'second message', text: 'Second answer.' },
  ]);
  for (const host of ['host-a', 'host-b'])
    workers[host] = await spawnWorker(loadConfig({ ...envFor(fx.config), AIRLOCK_HOST_ID: host }));
});
after(async () => {
  for (const w of Object.values(workers)) await killProcess(w, 'SIGKILL');
  await fx?.close();
});

test(
  "a session follows its sandbox's host, and moves when that host is gone",
  { timeout: 180_000 },
  async () => {
    assert.ok(fx);
    const id = await fx.send(fx.support, 'cli-hosts', 'first message');
    const first = await fx.waitForReply(id);
    assert.equal(first.replies.at(-1)?.text, 'First answer.');
    const home = first.host;
    assert.ok(home === 'host-a' || home === 'host-b', `pinned to a host: ${String(home)}`);
    const other = home === 'host-a' ? 'host-b' : 'host-a';

    // The host goes away (its worker killed); its sandbox would go with a real host.
    const dying = workers[home];
    assert.ok(dying);
    await killProcess(dying, 'SIGKILL');
    await fx.send(fx.support, 'cli-hosts', 'second message');
    const second = await fx.waitForReply(id, first.turn, 120_000);
    assert.equal(second.replies.at(-1)?.text, 'Second answer.');
    assert.equal(second.host, other, 'the session moved to the host that is left');
    assert.equal(second.replies.filter((r) => r.text === 'Second answer.').length, 1);
  },
);
