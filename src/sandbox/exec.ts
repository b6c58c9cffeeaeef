// Runs one command in a running agent box (dockerode exec) and returns its output and exit code.
// Docker cannot kill an exec, and the image has no shell or `timeout`, so each exec carries a
// marker in its environment; past the deadline a second exec (Node, same uid) kills every process
// whose environment holds the marker, which ends the command and whatever it started.
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { AirlockError } from '../errors.ts';
import { demux } from './driver.ts';

/** What a command in a box produced. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const markerVar = 'AIRLOCK_EXEC_ID';
// How long to wait for the killed command's stream to close before giving up on it.
const killGraceMs = 5_000;

// Runs inside the box as the killer: SIGKILL every process whose environment holds the marker.
const killerScript = (marker: string): string => `
const fs = require('node:fs');
const want = ${JSON.stringify(`${markerVar}=${marker}`)};
for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
  if (Number(pid) === process.pid) continue;
  try {
    if (fs.readFileSync('/proc/' + pid + '/environ', 'latin1').split('\\0').includes(want))
      process.kill(Number(pid), 'SIGKILL');
  } catch {}
}`;

/**
 * Run `cmd` in the box `containerId` (as uid 1000, in /workspace). Throws AirlockError
 * `sandbox_exec_timeout` when it runs past `timeoutMs`; the command is killed first.
 */
export async function execInBox(
  docker: Docker,
  containerId: string,
  cmd: string[],
  options: { timeoutMs: number; env?: Record<string, string> },
): Promise<ExecResult> {
  const marker = randomUUID();
  const exec = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    User: '1000:1000',
    WorkingDir: '/workspace',
    Env: [
      ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
      `${markerVar}=${marker}`,
    ],
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  try {
    if ((await Promise.race([ended, deadline])) === 'timeout') {
      await killMarked(docker, containerId, marker);
      await Promise.race([ended, new Promise((r) => setTimeout(r, killGraceMs).unref())]);
      stream.destroy();
      throw new AirlockError(
        'sandbox_exec_timeout',
        `command ${JSON.stringify(cmd[0])} in box ${containerId.slice(0, 12)} ran past ` +
          `${options.timeoutMs} ms and was killed`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
  return { exitCode: await exitCodeOf(exec), ...demux(Buffer.concat(chunks)) };
}

// The stream closes as the process exits; Docker may report it running for a moment longer.
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const state = await exec.inspect();
    if (!state.Running && state.ExitCode !== null) return state.ExitCode;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new AirlockError('sandbox_exec_lost', "the command's output ended but it did not exit");
}

async function killMarked(docker: Docker, containerId: string, marker: string): Promise<void> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ['node', '-e', killerScript(marker)],
    AttachStdout: true,
    AttachStderr: true,
    User: '1000:1000',
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
    stream.resume();
  });
}
