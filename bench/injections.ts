// Instruction findings on AgentDojo's rendered attacks (bench/agentdojo.sh renders them offline into
// .cache/agentdojo/rendered.jsonl). Per attack type and suite: how often the goal's first sentence
// lies inside instruction findings, how many benign texts get any finding, how many benign texts
// sanitize() alters at standard and strict, and the median time of findInstructions per text.
// Tuning suites (workspace, travel, banking) and the reported suite (slack) are tabled apart.
// Usage: node bench/injections.ts [rendered.jsonl] [--misses N]   (prints markdown)
import { readFileSync } from 'node:fs';
import { findInstructions, sentences } from '../src/sanitize/instructions.ts';
import { sanitize } from '../src/sanitize/sanitize.ts';
import { machine, percentile } from './stats.ts';

interface Rec {
  suite: string;
  attack: string;
  user_task: string | null;
  injection_task: string | null;
  vector: string;
  text: string;
  goal: string | null;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? '.cache/agentdojo/rendered.jsonl';
const missesAt = args.indexOf('--misses');
const showMisses = missesAt >= 0 ? Number(args[missesAt + 1] ?? 10) : 0;
const records: Rec[] = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Rec);

const TUNING = new Set(['workspace', 'travel', 'banking']);
const BENIGN = new Set(['benign_default', 'benign_tool_output']);
const MAX_LENGTH = 1_000_000;

/**
 * The goal's first sentence (split like the finder splits, trailing punctuation dropped) located in
 * the text; "found" means every character of it lies inside some finding's span.
 */
function goalFound(text: string, goal: string, spans: { start: number; end: number }[]): boolean {
  const first = sentences(goal)[0];
  if (!first) return false;
  const g = goal.slice(first.start, first.end).replace(/[.!?]+$/, '');
  const p = text.indexOf(g);
  if (p < 0) return false;
  let covered = p;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start <= covered && s.end > covered) covered = s.end;
    if (covered >= p + g.length) return true;
  }
  return covered >= p + g.length;
}

interface Row {
  n: number;
  found: number;
  withFinding: number;
  alteredStandard: number;
  alteredStrict: number;
  times: number[];
  /** Distinct texts, and distinct texts with a finding (tool outputs repeat across user tasks). */
  distinct: Set<string>;
  distinctFlagged: Set<string>;
}
const rows = new Map<string, Row>();
const row = (key: string): Row => {
  let r = rows.get(key);
  if (!r)
    rows.set(
      key,
      (r = {
        n: 0,
        found: 0,
        withFinding: 0,
        alteredStandard: 0,
        alteredStrict: 0,
        times: [],
        distinct: new Set(),
        distinctFlagged: new Set(),
      }),
    );
  return r;
};
const misses: Rec[] = [];
const falsePositives: { rec: Rec; sentence: string }[] = [];

// Warm up the patterns so the first texts do not carry the compile cost.
for (const r of records.slice(0, 200)) findInstructions(r.text);

for (const rec of records) {
  const t0 = performance.now();
  const findings = findInstructions(rec.text);
  const dt = performance.now() - t0;
  const group = TUNING.has(rec.suite) ? 'tuning' : rec.suite;
  // Slack is its own group: count it once.
  const keys = [...new Set([`${group}|${rec.attack}`, `${rec.suite}|${rec.attack}`])];
  for (const key of keys) {
    const r = row(key);
    r.n++;
    r.times.push(dt);
    if (findings.length > 0) r.withFinding++;
    r.distinct.add(rec.text);
    if (findings.length > 0) r.distinctFlagged.add(rec.text);
    if (rec.goal !== null && goalFound(rec.text, rec.goal, findings)) r.found++;
  }
  if (rec.goal !== null && !goalFound(rec.text, rec.goal, findings)) misses.push(rec);
  if (BENIGN.has(rec.attack)) {
    if (findings[0]) falsePositives.push({ rec, sentence: findings[0].sentence });
    const std = sanitize(rec.text, { level: 'standard', maxLength: MAX_LENGTH }).text !== rec.text;
    const strict = sanitize(rec.text, { level: 'strict', maxLength: MAX_LENGTH }).text !== rec.text;
    for (const key of keys) {
      if (std) row(key).alteredStandard++;
      if (strict) row(key).alteredStrict++;
    }
  }
}

const pct = (a: number, n: number): string => `${a}/${n} (${((100 * a) / n).toFixed(1)}%)`;
const attacks = [...new Set(records.map((r) => r.attack))];
function table(group: string, title: string): string {
  const out = [
    `**${title}**`,
    '',
    '| attack | texts | goal sentence inside findings | any finding | altered (standard) | altered (strict) | median ms/text | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const a of attacks) {
    const r = rows.get(`${group}|${a}`);
    if (!r) continue;
    const benign = BENIGN.has(a);
    out.push(
      `| ${a} | ${r.n} | ${benign ? '—' : pct(r.found, r.n)} | ${pct(r.withFinding, r.n)}${benign ? ` (distinct texts: ${r.distinctFlagged.size}/${r.distinct.size})` : ''} | ` +
        `${benign ? pct(r.alteredStandard, r.n) : '—'} | ${benign ? pct(r.alteredStrict, r.n) : '—'} | ` +
        `${percentile(r.times, 50).toFixed(3)} | ${percentile(r.times, 99).toFixed(3)} |`,
    );
  }
  return out.join('\n');
}

const lines = [
  `### Instruction findings on AgentDojo 0.1.35 (benchmark v1.2.2) — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine()}. ${records.length} rendered texts (bench/agentdojo.sh; no model called).`,
  "Goal found: the injection task GOAL's first sentence (split as the finder splits, trailing",
  'punctuation dropped), located verbatim in the rendered text, lies wholly inside the union of',
  'finding spans. Benign rows: the injection-vector defaults and the ground-truth tool outputs.',
  'Goals: ≥ 95% goal found per attack type, ≤ 5% benign with a finding, ≤ 1 ms median.',
  '',
  table('tuning', 'Tuning suites (workspace + travel + banking)'),
  '',
  table('slack', 'Reported suite (slack, not tuned on)'),
  '',
];
for (const s of ['workspace', 'travel', 'banking']) lines.push(table(s, `Per suite: ${s}`), '');
process.stdout.write(lines.join('\n'));

if (showMisses > 0) {
  const seen = new Set<string>();
  process.stderr.write(`\n${misses.length} misses; distinct goals:\n`);
  for (const m of misses) {
    const k = `${m.attack}|${m.goal}`;
    if (seen.has(k) || seen.size >= showMisses) continue;
    seen.add(k);
    process.stderr.write(
      `- [${m.suite} ${m.attack} ${m.injection_task}] ${JSON.stringify(m.text.slice(0, 400))}\n`,
    );
  }
  process.stderr.write(`\n${falsePositives.length} benign with findings:\n`);
  for (const f of falsePositives.slice(0, showMisses))
    process.stderr.write(
      `- [${f.rec.suite} ${f.rec.attack} ${f.rec.user_task ?? ''} ${f.rec.vector}] ${f.sentence}\n`,
    );
}
