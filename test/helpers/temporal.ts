// Test helpers for real Temporal: unique task queues, in-process and child-process workers, and a
// private dev server that a test may kill and restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig, type Config } from '../../src/config.ts';
import { freePort } from '../../src/dev/free-port.ts';
import { createLogger } from '../../src/log.ts';
import { installRuntimeLogger } from '../../src/temporal/worker.ts';
import * as actionKeys from '../../workflows/sensitive-action/search.ts';
import { AgentLastActivity, SessionState } from '../../workflows/agent-session/search.ts';
import { ExchangeState, FromAgent, ToAgent } from '../../workflows/agent-exchange/search.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Config from the test environment (set by `make test`) with a fresh task queue. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    LOG_LEVEL: 'warn',
    ...overrides,
  });
}

/** Environment variables that make a child process use `config`. */
export function envFor(config: Config): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) env[k] = String(v);
  return env;
}

/** Terminate runs `ids` (those already closed are skipped); nothing without a client. */
export async function terminateRuns(
  client: Client | undefined,
  ids: Iterable<string>,
  why = 'test over',
): Promise<void> {
  for (const id of ids)
    await client?.workflow
      .getHandle(id)
      .terminate(why)
      .catch(() => undefined);
}

/**
 * Reset `workflowId` to its first workflow task (as `temporal workflow reset --type
 * FirstWorkflowTask`); the new run's id.
 */
export async function resetToFirstTask(client: Client, workflowId: string): Promise<string> {
  const namespace = client.options.namespace;
  const described = await client.workflow.getHandle(workflowId).describe();
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace,
    execution: { workflowId, runId: described.runId },
  });
  const first = history.history?.events?.find(
    (e) => e.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  );
  if (!first?.eventId) throw new Error(`${workflowId}: no completed first workflow task`);
  const reset = await client.workflowService.resetWorkflowExecution({
    namespace,
    workflowExecution: { workflowId, runId: described.runId },
    workflowTaskFinishEventId: first.eventId,
    requestId: randomUUID(),
    reason: 'test reset',
  });
  if (!reset.runId || reset.runId === described.runId) throw new Error('the reset made no new run');
  return reset.runId;
}

/** Run `worker` in this process; the returned function shuts it down and waits until it has. */
export function runWorker(worker: Worker): () => Promise<void> {
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
  };
}

/** A free TCP port on 127.0.0.1. */
export { freePort };

/** Wait until `stream` prints a line matching `pattern` (or fail after `ms`). */
export function waitForLine(child: ChildProcess, pattern: RegExp, ms = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output:\n${seen}`)),
      ms,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`process exited (${code}) before ${pattern}:\n${seen}`)),
    );
  });
}

/** Start `node workers/main.ts` as a child process for `config`; resolves once it polls. */
export async function spawnWorker(
  config: Config,
): Promise<ChildProcess & { startedLine: string; output: string[] }> {
  const child = spawn(process.execPath, ['workers/main.ts'], {
    cwd: repoRoot,
    env: { ...envFor(config), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep draining its output: a full pipe would block the worker on its next log line.
  const output: string[] = [];
  const keep = (c: Buffer) => void output.push(c.toString());
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const startedLine = await waitForLine(child, /"msg":"worker started"/);
  return Object.assign(child, { startedLine, output });
}

/** Kill a child process with `signal` and wait for it to exit. */
export async function killProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

// The same search attributes scripts/temporal.sh registers.
const searchKeys = {
  ...actionKeys,
  SessionState,
  AgentLastActivity,
  FromAgent,
  ToAgent,
  ExchangeState,
};
type SearchKey = (typeof searchKeys)[keyof typeof searchKeys];
const cliType = (k: SearchKey) =>
  k.type === 'KEYWORD_LIST' ? 'KeywordList' : k.type === 'DATETIME' ? 'Datetime' : 'Keyword';
const indexedType = (k: SearchKey) =>
  k.type === 'KEYWORD_LIST'
    ? proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
    : k.type === 'DATETIME'
      ? proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
      : proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const searchAttributeFlags = Object.values(searchKeys).flatMap((k) => [
  '--search-attribute',
  `${k.name}=${cliType(k)}`,
]);

/** The namespace `make test` runs in (scripts/temporal.sh creates it beside `default`). */
export const testNamespace = 'airlock-test';

/** A private Temporal dev server on a free port, persisting to `dbFile`. */
export async function startDevServer(
  dbFile: string,
  port?: number,
  /** Dynamic config values, e.g. `{ 'limit.historyCount.suggestContinueAsNew': 40 }`. */
  dynamicConfig: Record<string, string | number> = {},
): Promise<{ child: ChildProcess; address: string; port: number }> {
  const bin = loadConfig().AIRLOCK_TEMPORAL_BIN;
  const p = port ?? (await freePort());
  const child = spawn(
    bin,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(p),
      '--db-filename',
      dbFile,
      '--log-level',
      'warn',
      '--namespace',
      testNamespace,
      ...searchAttributeFlags,
      ...Object.entries(dynamicConfig).flatMap(([k, v]) => [
        '--dynamic-config-value',
        `${k}=${JSON.stringify(v)}`,
      ]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const address = `127.0.0.1:${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dev server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      // Ready means serving with our search attributes registered (that happens after start).
      const h = spawn(
        bin,
        ['operator', 'search-attribute', 'list', '--address', address, '-n', testNamespace],
        {
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      let out = '';
      h.stdout.on('data', (c: Buffer) => (out += c.toString()));
      h.on('exit', () => resolve(out.includes('ExchangeState')));
    });
    if (ok) return { child, address, port: p };
    if (Date.now() > deadline) throw new Error('dev server did not become healthy');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The Java SDK's time-skipping test server (installed by bootstrap), with Airlock's search
 * attributes registered as `make up` registers them on the dev server.
 */
export async function timeSkippingEnv(
  /** The client's data converter (e.g. a payload codec); none by default. */
  dataConverter?: DataConverter,
): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: loadConfig().AIRLOCK_TEST_SERVER_BIN } },
    ...(dataConverter ? { client: { dataConverter } } : {}),
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.values(searchKeys).map((k) => [k.name, indexedType(k)]),
    ),
  });
  return env;
}

/** One test file's time-skipping server; `cleanup` queues work for `after`, last queued first. */
export interface TimeSkipping {
  /** The running server (fails the test if `before` did not start it). */
  readonly env: TestWorkflowEnvironment;
  cleanup(fn: () => Promise<unknown>): void;
}

/**
 * Register hooks for a time-skipping server (runtime logs at warn): `before` starts it, then runs
 * `setup` (top-level hooks start at once, so the file's own set-up must go here, not in a second
 * `before`); `after` runs the queued clean-ups, then tears the server down, also after a failure.
 */
export function timeSkippingHooks(
  setup?: (env: TestWorkflowEnvironment, ts: TimeSkipping) => Promise<void>,
  dataConverter?: DataConverter,
): TimeSkipping {
  let env: TestWorkflowEnvironment | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  const ts: TimeSkipping = {
    get env() {
      if (!env) throw new Error('the time-skipping server did not start');
      return env;
    },
    cleanup: (fn) => void cleanups.push(fn),
  };
  before(async () => {
    installRuntimeLogger(createLogger({ level: 'warn' }));
    env = await timeSkippingEnv(dataConverter);
    await setup?.(env, ts);
  });
  after(async () => {
    try {
      for (const c of cleanups.reverse()) await c();
    } finally {
      await env?.teardown();
    }
  });
  return ts;
}
