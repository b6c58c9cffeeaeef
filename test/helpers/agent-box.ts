// Fixtures for agent-box tests: unique agent and session ids, a socket directory per box, and a
// tracker that removes every box, volume, container and directory a test made, even when the
// test failed halfway through setting up.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Config } from '../../src/config.ts';
import { SandboxDriver } from '../../src/sandbox/driver.ts';
import { testConfig } from './temporal.ts';
import { removeAgentBox, type AgentBoxSpec } from '../../src/sandbox/agent-box.ts';
import { removeAgentWorkspace } from '../../src/sandbox/box-cleanup.ts';

/** Everything a test created, removed by `cleanup`. */
export class BoxTracker {
  private readonly specs: AgentBoxSpec[] = [];
  private readonly containers: string[] = [];
  private readonly dirs: string[] = [];

  readonly docker: Docker;
  readonly config: Config;

  constructor(docker: Docker, config: Config) {
    this.docker = docker;
    this.config = config;
  }

  /** A fresh box spec: new agent (so a new workspace volume) unless `agentId` is given. */
  spec(overrides: Partial<AgentBoxSpec> = {}): AgentBoxSpec {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-box-gw-'));
    chmodSync(dir, 0o755);
    this.dirs.push(dir);
    const session = randomUUID().slice(0, 8);
    const agentId = overrides.agentId ?? `test-agent-${randomUUID().slice(0, 8)}`;
    const spec: AgentBoxSpec = {
      agentId,
      sessionId: `test-${session}`,
      workflowId: `session:${agentId}:test-${session}`,
      limits: { memoryMb: 128, cpus: 0.5, pids: 64 },
      socketDir: dir,
      image: this.config.AIRLOCK_SANDBOX_IMAGE,
      ...overrides,
    };
    this.specs.push(spec);
    return spec;
  }

  /** Remember a container made outside the agent-box module. */
  container(id: string): void {
    this.containers.push(id);
  }

  /** Remove boxes, their workspace volumes, other containers and socket directories. */
  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (f: () => Promise<unknown>): Promise<void> => {
      try {
        await f();
      } catch (err) {
        errors.push(err);
      }
    };
    for (const s of this.specs) await attempt(() => removeAgentBox(this.docker, s));
    for (const id of this.containers) {
      await attempt(() => this.docker.getContainer(id).remove({ force: true }));
    }
    for (const agentId of new Set(this.specs.map((s) => s.agentId))) {
      await attempt(() => removeAgentWorkspace(this.docker, agentId));
    }
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, 'agent-box cleanup failed');
  }
}

/**
 * The test config's Docker, and `withBoxes(f)`: run `f` with a tracker whose boxes and volumes are
 * removed afterwards, whatever happens (the test's own failure is the one thrown).
 */
export function boxTesting(config: Config = testConfig()) {
  const { docker } = new SandboxDriver(config.DOCKER_HOST);
  const withBoxes = async (f: (t: BoxTracker) => Promise<void>): Promise<void> => {
    const tracker = new BoxTracker(docker, config);
    try {
      await f(tracker);
    } catch (err) {
      // The test's own failure is the one to see; a cleanup failure after it rides along.
      await tracker.cleanup().catch((cleanupErr: unknown) => {
        throw new AggregateError([err, cleanupErr], 'the test failed, then its cleanup', {
          cause: err,
        });
      });
      throw err;
    }
    await tracker.cleanup();
  };
  return { config, docker, withBoxes };
}
