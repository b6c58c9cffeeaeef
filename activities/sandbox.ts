// Sandbox activities: run a short Node.js script inside a hardened, network-less container.
// Idempotent: the container name comes from the workflow-generated run id, so a retry after a
// worker crash reuses (and then removes) the same container instead of starting a second one.
import type { Config } from '../src/config.ts';
import type { SandboxDriver } from '../src/sandbox/driver.ts';
import type { SandboxRunActivities } from '../workflows/sandbox-run/activities.ts';

/** Input of runInSandbox. */
export interface RunInSandboxInput {
  runId: string;
  script: string;
  timeoutMs?: number;
}

/** Dependencies of the sandbox activities. */
export interface SandboxActivityDeps {
  driver: SandboxDriver;
  config: Pick<
    Config,
    'AIRLOCK_SANDBOX_IMAGE' | 'AIRLOCK_SANDBOX_MEMORY_MB' | 'AIRLOCK_SANDBOX_PIDS'
  >;
}

/** A Docker-safe container name for a run id. */
export function containerName(runId: string): string {
  return `airlock-run-${runId.replace(/[^a-zA-Z0-9_.-]/g, '_')}`.slice(0, 120);
}

/** Build the sandbox activities. */
export function createSandboxActivities({
  driver,
  config,
}: SandboxActivityDeps): SandboxRunActivities {
  return {
    /** Run `script` with Node inside a sandbox and return its exit code and output. */
    async runInSandbox(input: RunInSandboxInput) {
      return driver.run({
        name: containerName(input.runId),
        image: config.AIRLOCK_SANDBOX_IMAGE,
        cmd: ['/usr/local/bin/node', '-e', input.script],
        memoryMb: config.AIRLOCK_SANDBOX_MEMORY_MB,
        pids: config.AIRLOCK_SANDBOX_PIDS,
        labels: { 'airlock.run': input.runId },
        timeoutMs: input.timeoutMs ?? 60_000,
      });
    },
  };
}
