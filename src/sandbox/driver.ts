// The sandbox driver: the only module that talks to Docker. Every container it creates has no
// network, a read-only root, no capabilities, no privilege escalation, a non-root user and memory
// and pids limits. Names are derived from workflow ids, so a retried activity finds its container.
import Docker from 'dockerode';
import { AirlockError } from '../errors.ts';
import type { SandboxResult } from '../../workflows/sandbox-run/activities.ts';

/** What to run in a sandbox. */
export interface SandboxSpec {
  /** Container name; derive it from a workflow id so retries are idempotent. */
  name: string;
  image: string;
  cmd: string[];
  memoryMb: number;
  pids: number;
  labels?: Record<string, string>;
  /** Host directories bind-mounted into the container (the gateway's socket directory). */
  mounts?: SandboxMount[];
  /** Kill the container after this long. */
  timeoutMs: number;
}

/** A host directory made visible inside the sandbox. */
export interface SandboxMount {
  /** Absolute path on the Docker host. */
  source: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly?: boolean;
}

/** Options for dockerode from a DOCKER_HOST value (unix:// or tcp://); default socket when unset. */
export function dockerOptions(dockerHost: string | undefined): Docker.DockerOptions {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/** The hardened HostConfig every sandbox gets. */
export function hardenedHostConfig(
  spec: Pick<SandboxSpec, 'memoryMb' | 'pids'>,
): Docker.HostConfig {
  const memory = spec.memoryMb * 1024 * 1024;
  return {
    NetworkMode: 'none',
    ReadonlyRootfs: true,
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    Memory: memory,
    MemorySwap: memory,
    PidsLimit: spec.pids,
    Tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
  };
}

/** Creates, runs and removes sandbox containers. */
export class SandboxDriver {
  readonly docker: Docker;

  constructor(dockerHost: string | undefined) {
    this.docker = new Docker(dockerOptions(dockerHost));
  }

  /** Run `spec` to completion and return its output; the container is removed afterwards. */
  async run(spec: SandboxSpec): Promise<SandboxResult> {
    const container = await this.createOrGet(spec);
    try {
      const state = (await container.inspect()).State;
      if (!state.Running && state.Status === 'created') await container.start();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        container.kill().catch(() => undefined);
      }, spec.timeoutMs);
      const waited = (await container.wait()) as { StatusCode: number };
      clearTimeout(timer);
      const { stdout, stderr } = await this.logs(container);
      return { exitCode: waited.StatusCode, stdout, stderr, timedOut };
    } finally {
      await this.remove(spec.name);
    }
  }

  /** Remove a container by name; "already gone" is success. */
  async remove(name: string): Promise<void> {
    await removeContainer(this.docker, name);
  }

  private async createOrGet(spec: SandboxSpec): Promise<Docker.Container> {
    try {
      return await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Cmd: spec.cmd,
        User: '1000:1000',
        WorkingDir: '/workspace',
        Labels: { 'airlock.managed': 'true', ...spec.labels },
        NetworkDisabled: true,
        HostConfig: {
          ...hardenedHostConfig(spec),
          Mounts: (spec.mounts ?? []).map((m) => ({
            Type: 'bind' as const,
            Source: m.source,
            Target: m.target,
            ReadOnly: m.readOnly ?? false,
          })),
        },
      });
    } catch (err) {
      // A retry after a crash finds the container it already created: reuse it.
      if (statusOf(err) === 409) return this.docker.getContainer(spec.name);
      if (statusOf(err) === 404) {
        throw new AirlockError(
          'sandbox_image_missing',
          `sandbox image ${spec.image} not found; run 'make up'`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  private async logs(container: Docker.Container): Promise<{ stdout: string; stderr: string }> {
    const buf = await container.logs({ stdout: true, stderr: true, follow: false });
    return demux(buf);
  }
}

/** Split Docker's multiplexed log stream (8-byte frame headers) into stdout and stderr. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    const frame = buf.subarray(i + 8, i + 8 + size);
    (buf[i] === 2 ? err : out).push(frame);
    i += 8 + size;
  }
  return {
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** Remove a container by name or id; "already gone" (404) and "removal in progress" (409) are success. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true });
  } catch (err) {
    if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
  }
}

/** The HTTP status of a Docker engine error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}
