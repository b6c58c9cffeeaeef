// A small language model on this machine's CPU as a supervised local service: llama.cpp's own
// OpenAI-compatible server (scripts/local-model.sh), on loopback, behind an API key that lives in
// the vault like any model key. Nothing in the gateway or the runner knows it is local: a policy
// points an agent's `model.endpoint` at it as at any OpenAI-compatible API. The engine is
// restarted when it dies (a turn in flight then fails like any model error, and is retried).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { processEnv } from '../config.ts';
import { AirlockError } from '../errors.ts';

const script = fileURLToPath(new URL('../../scripts/local-model.sh', import.meta.url));

/** The models the machine can run; `large` is the demo's, `small` the end-to-end test's. */
export const localModels = {
  small: { alias: 'qwen2.5-coder-0.5b-instruct', params: '0.5B' },
  large: { alias: 'qwen2.5-coder-1.5b-instruct', params: '1.5B' },
} as const;

/** Which local model. */
export type LocalModelName = keyof typeof localModels;

/** What the GGUF file says it is, so the operator sees what runs. */
export interface ModelInfo {
  name: string;
  architecture: string;
  quantization: string;
  bytes: number;
}

/** A running engine. */
export interface LocalModel {
  /** The OpenAI-compatible base URL, e.g. http://127.0.0.1:4012/v1. */
  baseUrl: string;
  /** The model id the engine answers to. */
  alias: string;
  info: ModelInfo;
  /** Seconds the last start took to load the weights. */
  loadSeconds: number;
  /** How many times the engine was restarted after dying. */
  readonly restarts: number;
  close(): Promise<void>;
}

/** Options of startLocalModel. */
export interface LocalModelOptions {
  name: LocalModelName;
  port: number;
  /** The engine's API key (also stored in the vault for the gateway to inject). */
  apiKey: string;
  /** Told about each start, death and restart. */
  onEvent?: (event: string) => void;
}

/** Download, assemble and verify the weights (once; cached); resolves to the GGUF file's path. */
export async function fetchLocalModel(name: LocalModelName): Promise<string> {
  const { code, out, err } = await run(['fetch', name], {});
  if (code !== 0)
    throw new AirlockError('local_model_fetch', lastLine(err) || `fetch exited ${code}`);
  return lastLine(out);
}

/** Start the engine on 127.0.0.1:`port` and keep it running until `close()`. */
export async function startLocalModel(options: LocalModelOptions): Promise<LocalModel> {
  const { name, port, apiKey, onEvent } = options;
  const { alias } = localModels[name];
  if (await portTaken(port))
    throw new AirlockError(
      'local_model_port_busy',
      `port ${port} on 127.0.0.1 is already in use: set AIRLOCK_LOCAL_MODEL_PORT to another port`,
    );
  const path = await fetchLocalModel(name);
  let child: ChildProcess | undefined;
  let closing = false;
  let restarts = 0;
  const launch = async () => {
    const started = await startEngine(path, port, alias, apiKey);
    child = started.child;
    child.once('exit', (code, signal) => {
      if (closing) return;
      onEvent?.(`the local model engine died (${signal ?? `exit ${code}`}); restarting it`);
      restarts++;
      // Restarted until closed; each attempt waits a moment so a crash loop cannot spin the CPU.
      setTimeout(() => void relaunch(), Math.min(30_000, 1000 * restarts));
    });
    return started.ready;
  };
  const relaunch = async (): Promise<void> => {
    if (closing) return;
    try {
      const ready = await launch();
      onEvent?.(`the local model engine is back (loaded in ${ready.loadSeconds} s)`);
    } catch (err) {
      onEvent?.(`the local model engine did not start again: ${(err as Error).message}`);
      restarts++;
      setTimeout(() => void relaunch(), Math.min(30_000, 1000 * restarts));
    }
  };
  const ready = await launch();
  onEvent?.(`${ready.name} (${ready.quantization}) loaded in ${ready.loadSeconds} s`);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    alias,
    info: {
      name: ready.name,
      architecture: ready.architecture,
      quantization: ready.quantization,
      bytes: ready.bytes,
    },
    loadSeconds: ready.loadSeconds,
    get restarts() {
      return restarts;
    },
    /** The engine's process, for tests that kill it. */
    get pid() {
      return child?.pid;
    },
    async close() {
      closing = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  } as LocalModel;
}

interface Ready extends ModelInfo {
  loadSeconds: number;
}

// One engine process; `ready` resolves with its first line (what loaded, and how fast).
async function startEngine(path: string, port: number, alias: string, apiKey: string) {
  // The key goes in the environment, not the command line, which every local user can read.
  const child = spawn('bash', [script, 'serve', path, '--port', String(port), '--alias', alias], {
    env: { ...processEnv(), AIRLOCK_LOCAL_MODEL_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  const ready = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AirlockError('local_model_start', `the local model did not load in 180 s`));
    }, 180_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Ready);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new AirlockError(
          'local_model_start',
          `the local model engine exited (${code}) before it listened: ${lastLine(err)}`,
        ),
      );
    });
  });
  return { child, ready: await ready };
}

function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn('bash', [script, ...args], {
      env: { ...processEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .at(-1)
      // eslint-disable-next-line no-control-regex
      ?.replace(/\x1b\[[0-9;]*m/g, '')
      .trim() ?? ''
  );
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
