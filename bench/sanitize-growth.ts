// Growth per doubling of the sanitizer's cost on the input classes issue 19 found super-linear
// (heading prefixes before a `#` run; one letter carrying alternating combining marks) and a few
// linear references, against a baseline measured in the same run: ordinary prose of the same sizes.
// Linear is ×2 per doubling, quadratic ×4. CPU time, so that other work on the machine does not count. Optionally the same for another checkout's sanitizer
// (e.g. main before the fix), given as a path to its src/sanitize/sanitize.ts.
// Usage: node bench/sanitize-growth.ts [runs] [other sanitize.ts]   (prints a markdown table)
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sanitize } from '../src/sanitize/sanitize.ts';
import type { SanitizeOptions, SanitizeResult } from '../src/sanitize/types.ts';

type Sanitize = (input: string, options: SanitizeOptions) => SanitizeResult;

const runs = Number(process.argv[2] ?? 3);
const otherPath = process.argv[3];
const K = 1000;

const prose = (n: number): string =>
  'The quarterly numbers look good: revenue rose 4% and the billing system is stable again. '
    .repeat(Math.ceil(n / 88))
    .slice(0, n);

/** Each class: how an input of about n characters is made, and the sizes measured. */
const CLASSES: { name: string; make: (n: number) => string; sizes: number[] }[] = [
  {
    name: "`'# '.repeat(k) + 'x' + '#'.repeat(k)`",
    make: (n) => `${'# '.repeat(n / 3)}x${'#'.repeat(n / 3)}`,
    sizes: [60 * K, 120 * K, 240 * K, 480 * K, 960 * K],
  },
  {
    name: "`'a' + '\\u0301\\u0323'.repeat(k)`",
    make: (n) => `a${'\u0301\u0323'.repeat(n / 2)}`,
    sizes: [40 * K, 80 * K, 160 * K, 320 * K, 640 * K],
  },
  {
    name: '`System:` repeated',
    make: (n) => 'System:'.repeat(Math.ceil(n / 7)).slice(0, n),
    sizes: [60 * K, 120 * K, 240 * K, 480 * K, 960 * K],
  },
  {
    name: '`&amp;amp;amp;…` repeated',
    make: (n) => '&amp;amp;amp;lt;'.repeat(Math.ceil(n / 16)).slice(0, n),
    sizes: [60 * K, 120 * K, 240 * K, 480 * K, 960 * K],
  },
  { name: 'prose (baseline)', make: prose, sizes: [60 * K, 120 * K, 240 * K, 480 * K, 960 * K] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** This process's CPU time in ms (not lengthened by other work on a busy machine). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Median CPU and wall-clock ms of `runs` calls after a warm-up; one call is enough once it takes
 * 2 s of CPU.
 */
function time(fn: Sanitize, input: string): { cpu: number; wall: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    fn(input, { level: 'strict', maxLength: 1_000_000 });
    const ms = cpuMs() - c0;
    if (i > 0 || ms > 2000) {
      cpu.push(ms);
      wall.push(performance.now() - t0);
    }
    if (ms > 2000) break;
  }
  return { cpu: median(cpu), wall: median(wall) };
}

function table(label: string, fn: Sanitize): void {
  console.log(`\n${label}\n`);
  console.log(
    '| input | sizes (chars) | CPU ms at each size | × per doubling | wall ms, largest |',
  );
  console.log('|---|---|---|---|---:|');
  for (const c of CLASSES) {
    const ms: { cpu: number; wall: number }[] = [];
    for (const n of c.sizes) {
      // A quadratic class takes 4 times as long per doubling: stop once a call passes 5 s.
      if ((ms.at(-1)?.cpu ?? 0) > 5000) break;
      ms.push(time(fn, c.make(n)));
    }
    const ratios = ms.slice(1).map((t, i) => (t.cpu / (ms[i]?.cpu ?? t.cpu)).toFixed(1));
    const sizes = c.sizes.slice(0, ms.length).map((n) => `${n / K}k`);
    console.log(
      `| ${c.name} | ${sizes.join(' / ')} | ${ms.map((t) => t.cpu.toFixed(1)).join(' / ')} | ${ratios.join(' / ')} | ${(ms.at(-1)?.wall ?? 0).toFixed(0)} |`,
    );
  }
}

console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; median of ${runs} runs after a warm-up (CPU time of this process); level strict, maxLength 1,000,000`,
);
table('This checkout:', sanitize);
if (otherPath) {
  const mod = (await import(pathToFileURL(resolve(otherPath)).href)) as { sanitize: Sanitize };
  table(`Other checkout (${otherPath}):`, mod.sanitize);
}
