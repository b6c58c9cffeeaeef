// Runs the test suite: each test file in its own `node --test` process (Temporal's native worker
// does not tolerate worker threads), two at a time, each with a wall-time limit. A file that runs
// past its limit is ended with everything it started (its process group) and counted as failed by
// name, so no file can hang the suite. Writes one TAP report per file, the totals to
// test-results/summary.json, and prints the totals line CI reads.
// Usage: node scripts/run-tests.ts [--file-timeout=SECONDS] [files or globs…]
import { spawn } from 'node:child_process';
import { globSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const patterns = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const fileTimeoutSec = Number(
  flags.find((f) => f.startsWith('--file-timeout='))?.split('=')[1] ?? 600,
);
const concurrency = 2;
// Started from inside another test run (the runner's own test), the files must still run.
const childEnv = { ...process.env };
delete childEnv['NODE_TEST_CONTEXT'];
const files = [
  ...new Set(
    (patterns.length > 0 ? patterns : ['test/**/*.test.ts', 'src/**/*.test.ts']).flatMap((p) =>
      globSync(p).sort(),
    ),
  ),
];
rmSync('test-results/tap', { recursive: true, force: true });
mkdirSync('test-results/tap', { recursive: true });

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  seconds: number;
  problem?: string;
}

const results: FileResult[] = [];
// Files run in process groups of their own, so an interrupt of the runner must end them itself.
const running = new Set<number>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
    process.exit(130);
  });
}
const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(concurrency, files.length) }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) results.push(await runFile(file));
  }),
);

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const problems = results.filter((r) => r.problem);
writeFileSync('test-results/report.tap', files.map((f) => readTap(tapPath(f))).join('\n'));
writeFileSync(
  'test-results/summary.json',
  JSON.stringify({ passed, failed, files: results }, null, 2) + '\n',
);
for (const r of problems) console.log(`✖ ${r.file}: ${r.problem}`);
if (files.length === 0) console.log('no test files matched');
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

/** Run one file in its own process group; its output is printed whole when it ends. */
async function runFile(file: string): Promise<FileResult> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--test',
      '--test-timeout=300000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapPath(file)}`,
      file,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: childEnv },
  );
  const output: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => output.push(c));
  child.stderr.on('data', (c: Buffer) => output.push(c));
  const pid = child.pid as number;
  running.add(pid);
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), 5000).unref();
  }, fileTimeoutSec * 1000);
  const code: number = await new Promise((resolve) =>
    child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );
  clearTimeout(limit);
  // Whatever the file left running in its group (servers, browsers) goes with it.
  killGroup(pid, 'SIGKILL');
  running.delete(pid);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(`\n▶ ${file} (${seconds} s)\n${Buffer.concat(output).toString()}`);
  const tap = readTap(tapPath(file));
  const result: FileResult = {
    file,
    passed: count(tap, 'pass'),
    failed: count(tap, 'fail') + count(tap, 'cancelled'),
    seconds,
  };
  if (timedOut) {
    result.problem = `ran past the ${fileTimeoutSec} s limit for one file and was ended`;
  } else if (code !== 0 && result.failed === 0) {
    result.problem = `exited with code ${code} without a failing test (crashed or failed to load)`;
  } else if (code === 0 && result.passed === 0 && result.failed === 0) {
    result.problem = 'ran no test';
  }
  if (result.problem) result.failed += 1;
  return result;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function tapPath(file: string): string {
  return `test-results/tap/${file.replace(/[^A-Za-z0-9._-]+/g, '_')}.tap`;
}

function readTap(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function count(tap: string, name: string): number {
  // The runner ends a report with lines like "# pass 12"; take the last one for each name.
  const last = [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))].at(-1);
  return last ? Number(last[1]) : 0;
}
