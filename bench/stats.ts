// Small helpers for benchmarks: percentiles, timing, interleaved sampling, the bare `docker run`
// baseline's flags, and the machine description for RESULTS.md.
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

/**
 * Time every variant `n` times, interleaved in rounds of `round` (so drift hits all alike), after
 * `warmup` untimed calls each; the samples (ms) by variant name.
 */
export async function interleaved(
  variants: Record<string, () => Promise<unknown>>,
  n: number,
  round: number,
  warmup = 200,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((k) => [k, []]),
  );
  for (const run of Object.values(variants)) for (let i = 0; i < warmup; i++) await run();
  for (let done = 0; done < n; done += round) {
    for (const [name, run] of Object.entries(variants)) {
      for (let i = 0; i < round; i++) {
        const t = performance.now();
        await run();
        samples[name]?.push(performance.now() - t);
      }
    }
  }
  return samples;
}

/** `docker run` arguments with the sandbox's hardening and limits, for a bare baseline run. */
export function hardenedRunArgs(memoryMb: number, pids: number): string[] {
  return [
    'run',
    '--rm',
    '--network',
    'none',
    '--read-only',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--user',
    '1000:1000',
    '--memory',
    `${memoryMb}m`,
    '--memory-swap',
    `${memoryMb}m`,
    '--pids-limit',
    String(pids),
    '--tmpfs',
    '/tmp:rw,noexec,nosuid,size=64m',
  ];
}
