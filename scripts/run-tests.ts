// Runs the test suite with Node's test runner (each file in its own process: Temporal's native
// worker does not tolerate worker threads), writes a TAP report, and prints the totals line that
// CI reads. Usage: node scripts/run-tests.ts [files or globs…]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const patterns = process.argv.slice(2);
const files = patterns.length > 0 ? patterns : ['test/**/*.test.ts', 'src/**/*.test.ts'];
mkdirSync('test-results', { recursive: true });

const args = [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  '--test-reporter-destination=test-results/report.tap',
  ...files,
];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));

const tap = readFileSync('test-results/report.tap', 'utf8');
const count = (name: string): number => sum(tap, name);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
writeFileSync(
  'test-results/summary.json',
  JSON.stringify({ passed, failed, exitCode: code }) + '\n',
);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(code !== 0 || failed > 0 || passed === 0 ? 1 : 0);

function sum(text: string, name: string): number {
  // The runner ends the report with lines like "# pass 12"; take the last one for each name.
  const matches = [...text.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
  const last = matches.at(-1);
  return last ? Number(last[1]) : 0;
}
