// Starts and stops Microsoft's 365 Agents Playground (a local Teams emulator with a mocked Bot
// Framework connector) as a child process pointed at our Teams webhook. It runs in a temporary
// working directory (it writes logs there) with our users file; if the asked port is taken it
// silently picks another, so the real port is read from its "Listening on N" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processEnv } from '../config.ts';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** The users file with Alice (current user), Riley, Bob, Mallory, Casey and Dana. */
export const playgroundUsersFile = fileURLToPath(
  new URL('./playground-users.yml', import.meta.url),
);

/** Options for starting the Playground. */
export interface PlaygroundOptions {
  /** Our Teams webhook, e.g. http://127.0.0.1:3978/api/webhooks/teams. */
  webhookUrl: string;
  /** Port to ask for (default 56150). */
  port?: number;
  usersFile?: string;
  logger?: Logger;
  /** How long to wait for it to listen (ms). */
  startTimeoutMs?: number;
}

/** A running Playground. */
export interface Playground {
  port: number;
  /** http://127.0.0.1:<port>: web UI and HTTP API. */
  url: string;
  stop(): Promise<void>;
}

/** Start the Playground and resolve once it listens. */
export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const workDir = await mkdtemp(join(tmpdir(), 'airlock-playground-'));
  const args = [cli, 'start', '-e', options.webhookUrl, '-c', 'msteams', '--dt'];
  args.push('-p', String(options.port ?? 56150));
  const child = spawn(process.execPath, args, {
    cwd: workDir,
    env: {
      ...processEnv(),
      // Without this it tries to open a browser and crashes on a headless machine.
      TEAMSAPPTESTER_BROWSER: 'none',
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.usersFile ?? playgroundUsersFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await waitForPort(child, options.startTimeoutMs ?? 30_000, options.logger);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
  options.logger?.info({ port, webhookUrl: options.webhookUrl }, 'Agents Playground started');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

function waitForPort(child: ChildProcess, timeoutMs: number, logger?: Logger): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new AirlockError('playground_start', `Playground did not start:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      logger?.debug({ playground: text.trim() }, 'playground output');
      const match = /Listening on (\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new AirlockError('playground_start', `Playground exited (${code}):\n${output}`));
    });
  });
}
