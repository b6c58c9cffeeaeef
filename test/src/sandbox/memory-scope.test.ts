// An agent's memory scope on the real Docker engine: a file one session's box writes to its
// workspace is invisible to another session's box (`session`, the default), visible to the same
// person's other session and invisible to another person's (`talker`), and visible to every session
// of the agent (`agent`, the old shared volume). A box still mounting another workspace (made
// before the scope changed) is replaced. Every test removes its boxes and volumes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureAgentBox, type AgentBoxSpec } from '../../../src/sandbox/agent-box.ts';
import { boxWorkspace, type BoxMemory } from '../../../src/sandbox/box-names.ts';
import { execInBox } from '../../../src/sandbox/exec.ts';
import { boxTesting, type BoxTracker } from '../../helpers/agent-box.ts';

const { docker, withBoxes } = boxTesting();

const write = `require('node:fs').writeFileSync('/workspace/secret.txt', process.env.NOTE)`;
const read = `
const fs = require('node:fs');
try { console.log(fs.readFileSync('/workspace/secret.txt', 'utf8')); } catch (e) { console.log(e.code); }`;

/** Start a box for `spec`, write `note` into its workspace; returns the box id. */
async function writer(spec: AgentBoxSpec, note: string): Promise<string> {
  const { containerId } = await ensureAgentBox(docker, spec);
  const r = await execInBox(docker, containerId, ['node', '-e', write], {
    timeoutMs: 20_000,
    env: { NOTE: note },
  });
  assert.equal(r.exitCode, 0, r.stderr);
  return containerId;
}

/** What a new box for `spec` finds in its workspace: the note, or ENOENT. */
async function reader(spec: AgentBoxSpec): Promise<string> {
  const { containerId } = await ensureAgentBox(docker, spec);
  const r = await execInBox(docker, containerId, ['node', '-e', read], { timeoutMs: 20_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout.trim();
}

const sessions = (boxes: BoxTracker, memory: (i: number) => BoxMemory | undefined, n: number) => {
  const first = boxes.spec(memory(0) ? { memory: memory(0)! } : {});
  const rest = Array.from({ length: n - 1 }, (_, i) => {
    const m = memory(i + 1);
    return boxes.spec({ agentId: first.agentId, ...(m ? { memory: m } : {}) });
  });
  return [first, ...rest];
};

test('session memory (the default): another session of the same agent sees nothing', async () => {
  await withBoxes(async (boxes) => {
    const [a, b] = sessions(boxes, () => undefined, 2);
    await writer(a!, 'session A wrote this');
    assert.equal(await reader(b!), 'ENOENT');
    assert.equal(await reader(a!), 'session A wrote this');
    assert.notEqual(boxWorkspace(a!).name, boxWorkspace(b!).name);
  });
});

test('talker memory: the same person’s other session sees it, another person’s does not', async () => {
  await withBoxes(async (boxes) => {
    const who = ['riley', 'riley', 'sam'];
    const [riley1, riley2, sam] = sessions(boxes, (i) => ({ scope: 'talker', talker: who[i]! }), 3);
    await writer(riley1!, 'riley remembers');
    assert.equal(await reader(riley2!), 'riley remembers');
    assert.equal(await reader(sam!), 'ENOENT');
  });
});

test('talker memory without a known talker falls back to the session’s own', async () => {
  await withBoxes(async (boxes) => {
    const [a, b] = sessions(boxes, () => ({ scope: 'talker' }), 2);
    await writer(a!, 'nobody’s');
    assert.equal(await reader(b!), 'ENOENT');
  });
});

test('agent memory: every session of the agent shares the workspace (the old behaviour)', async () => {
  await withBoxes(async (boxes) => {
    const [a, b] = sessions(boxes, () => ({ scope: 'agent' }), 2);
    await writer(a!, 'shared by all');
    assert.equal(await reader(b!), 'shared by all');
  });
});

test('a box mounting another workspace is replaced when the scope changes', async () => {
  await withBoxes(async (boxes) => {
    const shared = boxes.spec({ memory: { scope: 'agent' } });
    const other = boxes.spec({ agentId: shared.agentId, memory: { scope: 'agent' } });
    const before = await writer(shared, 'in the agent volume');
    assert.equal(await reader(other), 'in the agent volume');
    // The same session, now with its own memory: a new box, not the old one with the shared mount.
    const own = { ...shared, memory: { scope: 'session' as const } };
    const { containerId, created } = await ensureAgentBox(docker, own);
    assert.equal(created, true);
    assert.notEqual(containerId, before);
    assert.equal(await reader(own), 'ENOENT');
  });
});
