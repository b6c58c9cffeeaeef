// Fixtures for agent-runner tests: a workspace directory on the host (the runner gets its settings
// from the gateway, so it starts empty), and the real runner in a real sandbox container (the
// image's own command) with the gateway's directory and the workspace mounted, stopped when a test
// is done; helpers to wait for a turn's report and to read what the runner logged so far.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SandboxDriver } from '../../src/sandbox/driver.ts';
import type { SandboxResult } from '../../workflows/sandbox-run/activities.ts';
import { startGatewayFixture, type GatewayFixture } from './gateway.ts';

/** What the runner saves for a session. */
export interface SavedConversation {
  messages: Record<string, unknown>[];
  lastTurn?: { id: string; reply: string };
}

/** A host directory mounted as an agent's /workspace. */
export interface Workspace {
  dir: string;
  /** The saved conversation of session `sessionId` (`.airlock/sessions/<id made safe>/conversation.json`). */
  saved(sessionId: string): SavedConversation;
  /** Its messages. */
  conversation(sessionId: string): Record<string, unknown>[];
  remove(): void;
}

/** The folder name the runner gives a session id. */
export function sessionFolder(sessionId: string): string {
  return sessionId.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Create an empty workspace the box's user may write to. */
export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-ws-'));
  // The runner is uid 1000 in the box; the test's user owns the directory on the host.
  chmodSync(dir, 0o777);
  const saved = (sessionId: string): SavedConversation =>
    JSON.parse(
      readFileSync(
        join(dir, '.airlock', 'sessions', sessionFolder(sessionId), 'conversation.json'),
        'utf8',
      ),
    ) as SavedConversation;
  return {
    dir,
    saved,
    conversation: (sessionId) => saved(sessionId).messages,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A runner container started in the background. */
export interface RunningRunner {
  /** What the container printed once it has exited on its own (it should run until stopped). */
  readonly exited: SandboxResult | undefined;
  /** Kill the container and return what it printed (the driver removes it). */
  stop(): Promise<SandboxResult>;
}

/** Start the image's runner with the gateway socket's directory and the workspace mounted. */
export function startRunner(
  driver: SandboxDriver,
  options: { name: string; image: string; socketPath: string; workspace: string },
): RunningRunner {
  const done = driver.run({
    name: options.name,
    image: options.image,
    cmd: ['/usr/local/bin/node', '/app/runner.js'],
    memoryMb: 256,
    pids: 64,
    mounts: [
      { source: dirname(options.socketPath), target: '/gateway', readOnly: true },
      { source: options.workspace, target: '/workspace' },
    ],
    labels: { 'airlock.test': 'runner' },
    timeoutMs: 90_000,
  });
  let exited: SandboxResult | undefined;
  // Observed here so an early failure is not an unhandled rejection; stop() reports it.
  done.then(
    (r) => (exited = r),
    () => undefined,
  );
  return {
    get exited() {
      return exited;
    },
    async stop() {
      await driver.docker
        .getContainer(options.name)
        .kill()
        .catch(() => undefined);
      return done;
    },
  };
}

/** Wait until `check` holds while `runner` runs; fails after `ms`, or at once if it exits. */
export async function eventually(
  runner: RunningRunner,
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    const exited = runner.exited;
    if (exited)
      throw new Error(`the runner exited (${exited.exitCode}) before ${what}: ${exited.stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Wait for `promise` while `runner` runs; fails after `ms`, or at once if the runner exits. */
export async function settled<T>(
  runner: RunningRunner,
  promise: Promise<T>,
  what: string,
  ms = 30_000,
): Promise<T> {
  let value: { ok: true; value: T } | { ok: false; err: unknown } | undefined;
  promise.then(
    (v) => (value = { ok: true, value: v }),
    (err: unknown) => (value = { ok: false, err }),
  );
  await eventually(runner, () => value !== undefined, what, ms);
  if (!value?.ok) throw value?.err;
  return value.value;
}

/** What the container `name` has printed so far (both streams, with Docker's frame headers; '' before it exists). */
export async function logsOf(driver: SandboxDriver, name: string): Promise<string> {
  try {
    const raw = await driver.docker
      .getContainer(name)
      .logs({ stdout: true, stderr: true, follow: false });
    return raw.toString('utf8');
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return '';
    throw err;
  }
}

/** A message item as the session sends it, from Riley (or `displayName`). */
export function said(text: string, displayName = 'Riley'): Record<string, unknown> {
  return {
    kind: 'message',
    message: {
      messageId: randomUUID(),
      from: { platform: 'cli', userId: 'riley', displayName, policyUserId: 'riley' },
      text,
      receivedAt: new Date().toISOString(),
    },
  };
}

/**
 * A gateway fixture (`options`) and an empty workspace, with `run(label)` to start the image's
 * runner on both in a container named `<prefix>-<label>-<uuid>`. Everything it starts is pushed
 * to `cleanups`, which the test file runs after its tests.
 */
export async function runnerOnGateway(
  bench: { driver: SandboxDriver; image: string; cleanups: (() => unknown)[]; prefix: string },
  options: Parameters<typeof startGatewayFixture>[0],
): Promise<{
  fx: GatewayFixture;
  ws: Workspace;
  run: (label: string) => { runner: RunningRunner; name: string };
}> {
  const { driver, image, cleanups, prefix } = bench;
  const fx = await startGatewayFixture(options);
  cleanups.push(() => fx.close());
  const ws = createWorkspace();
  cleanups.push(() => ws.remove());
  const run = (label: string): { runner: RunningRunner; name: string } => {
    const name = `${prefix}-${label}-${randomUUID()}`;
    cleanups.push(() => driver.remove(name));
    const runner = startRunner(driver, {
      name,
      image,
      socketPath: fx.gateway.socketPath,
      workspace: ws.dir,
    });
    return { runner, name };
  };
  return { fx, ws, run };
}

/** Riley says `text` in turn `turnId` of `fx`'s inbox; what `runner` reports for it (`what` names it on a timeout). */
export function rileySays(
  runner: RunningRunner,
  fx: GatewayFixture,
  turnId: string,
  text: string,
  what = 'the report',
) {
  return settled(runner, fx.inbox.startTurn(turnId, [said(text)]), what);
}
