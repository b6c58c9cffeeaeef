// Small helpers for benchmarks: percentiles, timing, and the machine description for RESULTS.md.
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** The p-th percentile (0–100) of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Milliseconds `fn` takes. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** One line describing this machine. */
export function machine(): string {
  const kernel = execSync('uname -r').toString().trim();
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${kernel}, Node ${process.version}`;
}

/** Format milliseconds for a table. */
export const ms = (v: number): string => `${v.toFixed(1)} ms`;
