// Benchmark: `policy analyze` and `policy suggest` on 1,000,000 audit records (the fixture
// generator at a larger scale, written to a temporary file and deleted afterwards), against a
// baseline measured in the same run: reading the file and JSON.parse-ing every line. Also the card
// reduction the suggestions achieve on the committed fixture. Prints markdown.
// Run: node bench/policy-analyze.ts [records, default 1000000]
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { analyze } from '../src/policy/analysis/analyze.ts';
import { readLogFile } from '../src/policy/analysis/records.ts';
import { suggest } from '../src/policy/analysis/suggest.ts';
import { loadPolicySet, readSources } from '../src/policy/load.ts';
import { fixtureDefaults, fixtureEvents, writeAuditLog } from '../scripts/gen-audit-fixture.ts';

const policyPath = 'test/fixtures/analysis/policy.yaml';
const target = Number(process.argv[2] ?? 1_000_000);
// Records grow about linearly with the scale (7,826 at 1.5, the committed fixture; a little
// fewer per unit at large scales, hence 7,670).
const scale = (fixtureDefaults.scale * target) / 7670;
const window = {
  since: fixtureDefaults.start.getTime(),
  until: fixtureDefaults.start.getTime() + fixtureDefaults.days * 86_400_000,
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await body();
  return { ms: performance.now() - t0, value };
}

async function parseOnly(path: string): Promise<number> {
  let n = 0;
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const line of createInterface({ input, crlfDelay: Infinity }))
    if (line && JSON.parse(line)) n++;
  return n;
}

const policy = await loadPolicySet(policyPath);
const sources = await readSources(policyPath);
const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-analyze-'));
try {
  const file = join(dir, 'audit.jsonl');
  const gen = await timed(() =>
    writeAuditLog(file, fixtureEvents(policy, { ...fixtureDefaults, scale })),
  );
  const size = (await stat(file)).size;
  const rows: string[] = [];
  // Interleave: parse, analyze, parse, analyze… so the shared machine's load hits both alike.
  const parse: number[] = [];
  const analysed: number[] = [];
  let requests = 0;
  for (let round = 0; round < 3; round++) {
    parse.push((await timed(() => parseOnly(file))).ms);
    const a = await timed(() => analyze(readLogFile(file, { window }), window, 'Europe/Berlin'));
    analysed.push(a.ms);
    requests = a.value.analysis.requests;
  }
  const best = (xs: number[]) => Math.min(...xs);
  const full = await timed(async () => {
    const { timelines } = await analyze(readLogFile(file, { window }), window, 'Europe/Berlin');
    return suggest(timelines, policy, sources);
  });
  rows.push(
    `| read + JSON.parse every line (baseline) | ${seconds(best(parse))} | ${parse.map(seconds).join(', ')} |`,
    `| analyze (parse, chain links, timelines, stats, signals) | ${seconds(best(analysed))} | ${analysed.map(seconds).join(', ')} |`,
    `| suggest (analyze + every candidate replayed) | ${seconds(full.ms)} | 1 run |`,
  );
  const records = gen.value;
  process.stdout.write(
    `### policy analyze / suggest on ${records.toLocaleString('en')} audit records\n\n` +
      `${(size / 1e6).toFixed(0)} MB, ${requests.toLocaleString('en')} requests over ${fixtureDefaults.days} days (generated in ${seconds(gen.ms)}).\n\n` +
      `| step | best | runs |\n| --- | ---: | --- |\n${rows.join('\n')}\n\n` +
      `Ratio analyze / baseline: **${(best(analysed) / best(parse)).toFixed(2)}x**; goal: analyze under 10 s.\n` +
      `Suggestions at this scale: ${full.value.suggestions.length}; cards ${full.value.baseline.cards.toLocaleString('en')} → ${full.value.combined.cards.toLocaleString('en')}.\n\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

// The card reduction on the committed fixture.
const fixture = 'test/fixtures/analysis/audit.jsonl';
const { timelines } = await analyze(readLogFile(fixture, { window }), window, 'Europe/Berlin');
const r = suggest(timelines, policy, sources);
const lines = r.suggestions.map(
  (s) =>
    `| ${s.rule} | ${s.kind === 'threshold' && 'lt' in s.edit ? `allow ${s.edit.field} < ${s.edit.lt}` : `offer a ${'maxDuration' in s.edit ? s.edit.maxDuration : ''} grant`} | ${s.cardsBefore - s.cardsAfter} | ${s.rejectedPassing} | ${s.expiredPassing} |`,
);
const c = r.combined;
process.stdout.write(
  `### Card reduction on the fixture (${timelines.length.toLocaleString('en')} requests, 30 days)\n\n` +
    `| rule | suggestion | cards saved alone | rejected passing | expired passing |\n| --- | --- | ---: | ---: | ---: |\n${lines.join('\n')}\n` +
    `| all | together | ${r.baseline.cards - c.cards} (${r.baseline.cards} → ${c.cards}, ${Math.round((100 * (r.baseline.cards - c.cards)) / r.baseline.cards)}%) | ${c.rejectedPassing.length} | ${c.expiredPassing.length} |\n`,
);
