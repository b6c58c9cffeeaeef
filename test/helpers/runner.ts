// Fixtures for agent-runner tests: a workspace directory on the host holding the agent file the
// session would write, and the real runner in a real sandbox container (the image's default
// command) with the gateway's directory and the workspace mounted, stopped when a test is done.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SandboxDriver } from '../../src/sandbox/driver.ts';
import type { SandboxResult } from '../../workflows/sandbox-run/activities.ts';

/** A host directory mounted as an agent's /workspace. */
export interface Workspace {
  dir: string;
  /** The saved conversation's messages (`.airlock/conversation.json`). */
  conversation(): Record<string, unknown>[];
  remove(): void;
}

/** Create a workspace holding `.airlock/agent.json` with `agent`. */
export function createWorkspace(agent: Record<string, unknown>): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-ws-'));
  // The runner is uid 1000 in the box; the test's user owns the directory on the host.
  chmodSync(dir, 0o777);
  mkdirSync(join(dir, '.airlock'), { mode: 0o777 });
  chmodSync(join(dir, '.airlock'), 0o777);
  writeFileSync(join(dir, '.airlock', 'agent.json'), JSON.stringify(agent));
  return {
    dir,
    conversation: () =>
      (
        JSON.parse(readFileSync(join(dir, '.airlock', 'conversation.json'), 'utf8')) as {
          messages: Record<string, unknown>[];
        }
      ).messages,
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
  check: () => boolean,
  what: string,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    const exited = runner.exited;
    if (exited)
      throw new Error(`the runner exited (${exited.exitCode}) before ${what}: ${exited.stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
