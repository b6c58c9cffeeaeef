// Persistent agent boxes on the real Docker engine with the project's sandbox image: what a box
// enforces (seen from inside and in `docker inspect`), the workspace volume outliving the
// container, reattach and idle stop, concurrent ensures, isolation between agents, orphan cleanup
// and exec with a timeout. Every test removes its containers and volumes, even after a failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureAgentBox, removeAgentBox, stopAgentBox } from '../../../src/sandbox/agent-box.ts';
import { cleanupOrphans } from '../../../src/sandbox/box-cleanup.ts';
import { boxWorkspace } from '../../../src/sandbox/box-names.ts';
import { execInBox } from '../../../src/sandbox/exec.ts';
import { boxTesting } from '../../helpers/agent-box.ts';

const { config, docker, withBoxes } = boxTesting();

const node = async (id: string, script: string, timeoutMs = 20_000) =>
  execInBox(docker, id, ['node', '-e', script], { timeoutMs });

/** Write notes.txt ("kept") in the workspace of box `id`, from its working folder. */
const writeNote = async (id: string) => {
  const w = await node(id, `require('fs').writeFileSync('notes.txt', 'kept')`);
  assert.equal(w.exitCode, 0, w.stderr);
};
/** The workspace's notes.txt in box `id`, read by its full path. */
const readNote = async (id: string) =>
  (
    await node(
      id,
      `process.stdout.write(require('fs').readFileSync('/workspace/notes.txt', 'utf8'))`,
    )
  ).stdout;

// Runs inside the box and reports what it allows.
const probe = `
const fs = require('node:fs');
const os = require('node:os');
const cp = require('node:child_process');
const status = fs.readFileSync('/proc/self/status', 'utf8');
const field = (n) => (status.match(new RegExp('^' + n + ':\\\\s*(\\\\S+)', 'm')) || [])[1];
const writable = (f) => { try { fs.writeFileSync(f, 'x'); return true; } catch (e) { return e.code; } };
const read = (f) => { try { return fs.readFileSync(f, 'utf8').trim(); } catch { return null; } };
// A script with a shebang: it would run anywhere but on a noexec mount.
const tmpExec = (dir) => {
  const f = dir + '/exec-probe';
  fs.writeFileSync(f, '#!' + process.execPath + '\\nconsole.log(1)\\n', { mode: 0o755 });
  try { cp.execFileSync(f); return 'ran'; } catch (e) { return e.code; } finally { fs.rmSync(f); }
};
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(), interfaces: Object.keys(os.networkInterfaces()),
  netDev: read('/proc/net/dev').split('\\n').slice(2).map((l) => l.trim().split(':')[0]),
  root: writable('/probe'), workspace: writable('/workspace/probe'), tmp: writable('/tmp/probe'),
  tmpExec: tmpExec('/tmp'), workspaceExec: tmpExec('/workspace'), capEff: field('CapEff'), noNewPrivs: field('NoNewPrivs'), seccomp: field('Seccomp'),
  memoryMax: read('/sys/fs/cgroup/memory.max') ?? read('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
  pidsMax: read('/sys/fs/cgroup/pids.max') ?? read('/sys/fs/cgroup/pids/pids.max'),
  cpuQuota: read('/sys/fs/cgroup/cpu.max') ?? read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'),
}));`;

test('a new box enforces the sandbox limits, seen from inside and in inspect', async (t) => {
  await withBoxes(async (boxes) => {
    const spec = boxes.spec();
    const started = performance.now();
    const { containerId, created } = await ensureAgentBox(docker, spec);
    const createMs = performance.now() - started;
    assert.equal(created, true);

    const r = await node(containerId, probe);
    assert.equal(r.exitCode, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(seen.uid, 1000);
    assert.equal(seen.gid, 1000);
    assert.deepEqual(seen.interfaces, ['lo']);
    assert.deepEqual(seen.netDev, ['lo']);
    assert.equal(seen.root, 'EROFS');
    assert.equal(seen.workspace, true);
    assert.equal(seen.tmp, true);
    assert.equal(seen.tmpExec, 'EACCES');
    assert.equal(seen.workspaceExec, 'ran', 'the exec probe itself works');
    assert.equal(seen.capEff, '0000000000000000');
    assert.equal(seen.noNewPrivs, '1');
    assert.equal(seen.seccomp, '2', 'a seccomp filter is in force');
    assert.equal(Number(seen.memoryMax), 128 * 1024 * 1024);
    assert.equal(Number(seen.pidsMax), 64);
    assert.match(String(seen.cpuQuota), /^50000( 100000)?$/);

    const info = await docker.getContainer(containerId).inspect();
    const host = info.HostConfig;
    assert.equal(host.NetworkMode, 'none');
    assert.equal(host.ReadonlyRootfs, true);
    assert.deepEqual(host.CapDrop, ['ALL']);
    // Only no-new-privileges: no seccomp= entry, so the engine's default profile applies.
    assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
    const engine = (await docker.info()) as { SecurityOptions: string[] };
    assert.ok(engine.SecurityOptions.includes('name=seccomp,profile=default'));
    assert.equal(host.Memory, 128 * 1024 * 1024);
    assert.equal(host.PidsLimit, 64);
    assert.equal(host.NanoCpus, 500_000_000);
    assert.match(String(host.Tmpfs?.['/tmp']), /noexec/);
    assert.equal(info.Config.User, '1000:1000');
    // The box runs the agent runner itself, pointed at the mounted gateway socket.
    assert.deepEqual(info.Config.Cmd, ['node', '/app/runner.js']);
    assert.ok(info.Config.Env.includes('AIRLOCK_GATEWAY_SOCKET=/gateway/gateway.sock'));
    assert.equal(host.Init, true);
    assert.ok(['', 'no'].includes(host.RestartPolicy?.Name ?? ''), 'no restart policy');
    const mounts = Object.fromEntries(info.Mounts.map((m) => [m.Destination, m]));
    assert.equal(mounts['/workspace']?.Type, 'volume');
    // The session's own workspace (memory scope `session`, the default).
    assert.equal(mounts['/workspace']?.Name, boxWorkspace(spec).name);
    assert.match(
      boxWorkspace(spec).name,
      new RegExp(`^airlock-ws-${spec.agentId}-s-[0-9a-f]{24}$`),
    );
    assert.equal(mounts['/gateway']?.Type, 'bind');
    assert.equal(mounts['/gateway']?.RW, false);
    assert.equal(info.Config.Labels['airlock.role'], 'agent-box');
    assert.equal(info.Config.Labels['airlock.agent'], spec.agentId);
    assert.equal(info.Config.Labels['airlock.session'], spec.sessionId);
    assert.equal(info.Config.Labels['airlock.workflow'], spec.workflowId);
    const volume = await docker.getVolume(boxWorkspace(spec).name).inspect();
    assert.equal(volume.Labels?.['airlock.agent'], spec.agentId);
    assert.equal(volume.Labels?.['airlock.memory'], 'session');

    const again = performance.now();
    assert.deepEqual(await ensureAgentBox(docker, spec), { containerId, created: false });
    const reattachMs = performance.now() - again;
    t.diagnostic(`create ${createMs.toFixed(0)} ms, reattach ${reattachMs.toFixed(0)} ms`);
  });
});

test('the workspace survives removing and recreating the box', async () => {
  await withBoxes(async (boxes) => {
    const spec = boxes.spec();
    const first = await ensureAgentBox(docker, spec);
    await writeNote(first.containerId);
    await removeAgentBox(docker, spec);
    await assert.rejects(docker.getContainer(first.containerId).inspect(), { statusCode: 404 });

    const second = await ensureAgentBox(docker, spec);
    assert.equal(second.created, true);
    assert.notEqual(second.containerId, first.containerId);
    assert.equal(await readNote(second.containerId), 'kept');
  });
});

test('a box from an older image is replaced on the next ensure; the workspace stays', async () => {
  await withBoxes(async (boxes) => {
    const spec = boxes.spec();
    const first = await ensureAgentBox(docker, spec);
    await writeNote(first.containerId);
    // The same image under another name stands in for an upgraded runner image.
    const repo = spec.image.split(':')[0] ?? spec.image;
    const tag = `upgrade-test-${randomUUID().slice(0, 8)}`;
    const newer = `${repo}:${tag}`;
    await docker.getImage(spec.image).tag({ repo, tag });
    try {
      const second = await ensureAgentBox(docker, { ...spec, image: newer });
      assert.equal(second.created, true);
      assert.notEqual(second.containerId, first.containerId);
      await assert.rejects(docker.getContainer(first.containerId).inspect(), { statusCode: 404 });
      assert.equal((await docker.getContainer(second.containerId).inspect()).Config.Image, newer);
      assert.equal(await readNote(second.containerId), 'kept');
      // Same image again: the box is found, not replaced.
      const third = await ensureAgentBox(docker, { ...spec, image: newer });
      assert.deepEqual(third, { containerId: second.containerId, created: false });
    } finally {
      await removeAgentBox(docker, spec);
      await docker
        .getImage(newer)
        .remove({ noprune: true })
        .catch(() => undefined);
    }
  });
});

test('reattach: twice is the same box; after an idle stop it starts again', async (t) => {
  await withBoxes(async (boxes) => {
    const spec = boxes.spec();
    const { containerId } = await ensureAgentBox(docker, spec);
    assert.deepEqual(await ensureAgentBox(docker, spec), { containerId, created: false });

    await stopAgentBox(docker, spec);
    await stopAgentBox(docker, spec); // already stopped: still fine
    assert.equal((await docker.getContainer(containerId).inspect()).State.Running, false);
    const woke = performance.now();
    assert.deepEqual(await ensureAgentBox(docker, spec), { containerId, created: false });
    t.diagnostic(`start after stop ${(performance.now() - woke).toFixed(0)} ms`);
    assert.equal((await docker.getContainer(containerId).inspect()).State.Running, true);
    assert.equal((await node(containerId, 'console.log(6 * 7)')).stdout, '42\n');
  });
});

test('two concurrent ensures for one session end with one container', async () => {
  await withBoxes(async (boxes) => {
    const spec = boxes.spec();
    // allSettled: a failing ensure must not leave the other still creating while cleanup runs.
    const settled = await Promise.allSettled([
      ensureAgentBox(docker, spec),
      ensureAgentBox(docker, spec),
    ]);
    const [a, b] = settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    assert.ok(a && b);
    assert.equal(a.containerId, b.containerId);
    assert.deepEqual([a.created, b.created].sort(), [false, true]);
    const all = await docker.listContainers({
      all: true,
      filters: { label: [`airlock.session=${spec.sessionId}`] },
    });
    assert.equal(all.length, 1);
    assert.equal(all[0]?.State, 'running');
  });
});

test("another agent's box has its own workspace and gateway directory", async () => {
  await withBoxes(async (boxes) => {
    const one = boxes.spec();
    const two = boxes.spec();
    writeFileSync(join(one.socketDir, 'only-for-one'), 'x');
    const a = await ensureAgentBox(docker, one);
    const b = await ensureAgentBox(docker, two);
    await node(a.containerId, `require('fs').writeFileSync('/workspace/secret', 'one')`);
    const r = await node(
      b.containerId,
      `const fs = require('fs');
       console.log(JSON.stringify({ ws: fs.readdirSync('/workspace'), gw: fs.readdirSync('/gateway'),
         mounts: fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(${JSON.stringify(one.socketDir)}) }));`,
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ws: [], gw: [], mounts: false });
    const own = await node(
      a.containerId,
      `console.log(require('fs').readdirSync('/gateway').join())`,
    );
    assert.equal(own.stdout, 'only-for-one\n');
  });
});

test('cleanupOrphans removes only agent boxes whose session is over', async () => {
  await withBoxes(async (boxes) => {
    const live = boxes.spec();
    const dead = boxes.spec();
    const deadShared = boxes.spec({ agentId: dead.agentId, memory: { scope: 'agent' } });
    await ensureAgentBox(docker, deadShared);
    // A session terminated after its box was removed: only its workspace is left.
    const boxless = boxes.spec({ agentId: dead.agentId });
    await ensureAgentBox(docker, boxless);
    await removeAgentBox(docker, boxless);
    await docker.getVolume(boxWorkspace(boxless).name).inspect();
    const liveBox = await ensureAgentBox(docker, live);
    const deadBox = await ensureAgentBox(docker, dead);
    const other = await docker.createContainer({
      name: `airlock-other-${randomUUID()}`,
      Image: config.AIRLOCK_SANDBOX_IMAGE,
      Cmd: ['node', '-e', '1'],
      Labels: { 'airlock.session': dead.sessionId },
      HostConfig: { NetworkMode: 'none' },
    });
    boxes.container(other.id);

    const asked: string[] = [];
    const removed = await cleanupOrphans(docker, (labels) => {
      asked.push(labels['airlock.session'] ?? '');
      // Boxes of other tests running in parallel count as live: only ours may be judged.
      const over = [dead.sessionId, deadShared.sessionId, boxless.sessionId];
      return Promise.resolve(!over.includes(labels['airlock.session'] ?? ''));
    });
    assert.ok(asked.includes(live.sessionId) && asked.includes(dead.sessionId));
    assert.equal(removed.length, 2);
    await assert.rejects(docker.getContainer(deadBox.containerId).inspect(), { statusCode: 404 });
    assert.equal((await docker.getContainer(liveBox.containerId).inspect()).State.Running, true);
    await other.inspect();
    // The dead session's own workspace goes with its box; the agent's shared one stays, and so
    // does the live session's.
    await assert.rejects(docker.getVolume(boxWorkspace(dead).name).inspect(), { statusCode: 404 });
    await assert.rejects(docker.getVolume(boxWorkspace(boxless).name).inspect(), {
      statusCode: 404,
    });
    await docker.getVolume(boxWorkspace(deadShared).name).inspect();
    await docker.getVolume(boxWorkspace(live).name).inspect();
  });
});

test('execInBox returns output and exit code; past its timeout the command is killed', async () => {
  await withBoxes(async (boxes) => {
    const { containerId } = await ensureAgentBox(docker, boxes.spec());
    const ok = await node(containerId, `console.log('out'); console.error('err'); process.exit(3)`);
    assert.deepEqual(ok, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });

    // The sleeper starts a child of its own; both must be gone after the timeout.
    const sleeper = `require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' }); setTimeout(() => {}, 60000)`;
    const started = performance.now();
    await assert.rejects(node(containerId, sleeper, 1500), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'sandbox_exec_timeout');
      assert.match(err.message, /ran past 1500 ms and was killed/);
      return true;
    });
    // Killed at its timeout, not waited out: the sleeper alone would run 60 s.
    assert.ok(performance.now() - started < 60_000, 'the command ran to its own end');
    const ps = await node(
      containerId,
      `const fs = require('fs');
       console.log(fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p) && p !== String(process.pid))
         .map((p) => fs.readFileSync('/proc/' + p + '/cmdline', 'utf8')).filter((c) => c.includes('60000')).length)`,
    );
    assert.equal(ps.stdout, '0\n');
  });
});
