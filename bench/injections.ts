// AgentDojo's rendered attacks and benign texts through the production path (bench/agentdojo.sh
// renders them offline into .cache/agentdojo/rendered-2.jsonl): sanitize() at standard, then the
// instruction finder on what the card shows. Per attack type and suite: the goal's first sentence
// inside findings of the raw text and of the card's text, the goal kept on the card, benign texts
// with a finding and altered, user tasks that lose a fact they need, and time per text.
// Tuning suites (workspace, travel, banking) and the reported suite (slack) are tabled apart.
// Usage: node bench/injections.ts [rendered.jsonl] [--misses N] [--tuning]   (prints markdown)
// --tuning measures the tuning suites alone (slack is not even read): the loop to tune the finder in.
// --misses lists misses and benign findings of the tuning suites only: slack is held out, so its
// texts are never shown to whoever tunes the finder; only its counts are tabled.
import { readFileSync } from 'node:fs';
import { findInstructions, sentences } from '../src/sanitize/instructions.ts';
import { refang } from '../src/sanitize/links.ts';
import { sanitize } from '../src/sanitize/sanitize.ts';
import type { Level } from '../src/sanitize/types.ts';
import { defangText, factsOf, lostFacts, squash } from './agentdojo-facts.ts';
import { machine, percentile } from './stats.ts';

interface Rec {
  suite: string;
  attack: string;
  user_task: string | null;
  injection_task: string | null;
  vector: string;
  text: string;
  goal: string | null;
  facts?: string[];
}

const args = process.argv.slice(2);
const missesAt = args.indexOf('--misses');
const file =
  args.find((a, i) => !a.startsWith('--') && (missesAt < 0 || i !== missesAt + 1)) ??
  '.cache/agentdojo/rendered-2.jsonl';
const tuningOnly = args.includes('--tuning');
const showMisses = missesAt >= 0 ? Number(args[missesAt + 1] ?? 10) : 0;
const all: Rec[] = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Rec);
const taskFacts = new Map<string, string[]>();
for (const r of all)
  if (r.attack === 'user_task_facts') taskFacts.set(`${r.suite}|${r.user_task}`, r.facts ?? []);
const TUNING = new Set(['workspace', 'travel', 'banking']);
const records = all.filter(
  (r) => r.attack !== 'user_task_facts' && (!tuningOnly || TUNING.has(r.suite)),
);

const BENIGN = new Set(['benign_default', 'benign_tool_output']);
const MAX_LENGTH = 1_000_000;
const clean = (text: string, level: Level) => sanitize(text, { level, maxLength: MAX_LENGTH }).text;

/** The goal's first sentence, split like the finder splits, trailing punctuation dropped. */
function goalSentence(goal: string): string {
  const first = sentences(goal)[0];
  return first ? goal.slice(first.start, first.end).replace(/[.!?]+$/, '') : goal;
}

/** True when `g`, located in `text`, lies wholly inside the union of the finding spans. */
function covered(text: string, g: string, spans: { start: number; end: number }[]): boolean {
  const p = text.indexOf(g);
  if (p < 0) return false;
  let at = p;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start <= at && s.end > at) at = s.end;
    if (at >= p + g.length) return true;
  }
  return at >= p + g.length;
}

interface Row {
  n: number;
  foundRaw: number;
  kept: number;
  foundCard: number;
  withFinding: number;
  alteredStandard: number;
  alteredStrict: number;
  /** Altered beyond spacing and defanged links (refanged, whitespace collapsed, still different). */
  alteredContent: number;
  lostFact: number;
  times: number[];
  distinct: Set<string>;
  distinctFlagged: Set<string>;
}
const rows = new Map<string, Row>();
const row = (key: string): Row => {
  let r = rows.get(key);
  if (!r) {
    r = {
      ...{ n: 0, foundRaw: 0, kept: 0, foundCard: 0, withFinding: 0 },
      ...{ alteredStandard: 0, alteredStrict: 0, alteredContent: 0, lostFact: 0 },
      ...{ times: [], distinct: new Set<string>(), distinctFlagged: new Set<string>() },
    };
    rows.set(key, r);
  }
  return r;
};
/** Per suite|user task: the facts lost at standard and at strict (with the output they were in). */
const tasks = new Map<string, { standard: Set<string>; strict: Set<string>; facts: number }>();
const misses: { rec: Rec; card: string }[] = [];
const falsePositives: { rec: Rec; sentence: string }[] = [];

// Warm up so the first texts do not carry the compile cost.
for (const r of records.slice(0, 200)) findInstructions(clean(r.text, 'standard'));

for (const rec of records) {
  const t0 = performance.now();
  const card = clean(rec.text, 'standard');
  const findings = findInstructions(card);
  const dt = performance.now() - t0;
  const group = TUNING.has(rec.suite) ? 'tuning' : rec.suite;
  const keys = [...new Set([`${group}|${rec.attack}`, `${rec.suite}|${rec.attack}`])];
  const rs = keys.map(row);
  for (const r of rs) {
    r.n++;
    r.times.push(dt);
    r.distinct.add(rec.text);
    if (findings.length > 0) {
      r.withFinding++;
      r.distinctFlagged.add(rec.text);
    }
  }
  if (rec.goal !== null) {
    const g = goalSentence(rec.goal);
    const raw = covered(rec.text, g, findInstructions(rec.text));
    const kept = refang(card).includes(g);
    const onCard = covered(card, defangText(g), findings);
    for (const r of rs) {
      if (raw) r.foundRaw++;
      if (kept) r.kept++;
      if (onCard) r.foundCard++;
    }
    if (!onCard && group === 'tuning') misses.push({ rec, card });
  }
  if (BENIGN.has(rec.attack)) {
    if (findings[0] && group === 'tuning')
      falsePositives.push({ rec, sentence: findings[0].sentence });
    const strict = clean(rec.text, 'strict');
    const facts = factsOf(rec.text, taskFacts.get(`${rec.suite}|${rec.user_task}`) ?? []);
    const lost = lostFacts(facts, card);
    for (const r of rs) {
      if (card !== rec.text) r.alteredStandard++;
      if (squash(refang(card)) !== squash(rec.text)) r.alteredContent++;
      if (strict !== rec.text) r.alteredStrict++;
      if (lost.length > 0) r.lostFact++;
    }
    if (rec.attack === 'benign_tool_output') {
      const key = `${rec.suite}|${rec.user_task}`;
      const t = tasks.get(key) ?? { standard: new Set(), strict: new Set(), facts: 0 };
      tasks.set(key, t);
      t.facts += facts.length;
      for (const f of lost) t.standard.add(f);
      for (const f of lostFacts(facts, strict)) t.strict.add(f);
    }
  }
}

const pct = (a: number, n: number): string => `${a}/${n} (${((100 * a) / n).toFixed(1)}%)`;
const attacks = [...new Set(records.map((r) => r.attack))];
function table(group: string, title: string): string {
  const out = [
    `**${title}**`,
    '',
    '| attack | texts | goal inside findings (raw text) | goal kept on the card | goal inside findings on the card | any finding on the card | altered (standard) | beyond spacing and defanged links (standard) | altered (strict) | lose a fact (standard) | median ms/text | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const a of attacks) {
    const r = rows.get(`${group}|${a}`);
    if (!r) continue;
    const b = BENIGN.has(a);
    const distinct = b ? ` (distinct: ${r.distinctFlagged.size}/${r.distinct.size})` : '';
    out.push(
      `| ${a} | ${r.n} | ${b ? '—' : pct(r.foundRaw, r.n)} | ${b ? '—' : pct(r.kept, r.n)} | ` +
        `${b ? '—' : pct(r.foundCard, r.n)} | ${pct(r.withFinding, r.n)}${distinct} | ` +
        `${b ? pct(r.alteredStandard, r.n) : '—'} | ${b ? pct(r.alteredContent, r.n) : '—'} | ` +
        `${b ? pct(r.alteredStrict, r.n) : '—'} | ` +
        `${b ? pct(r.lostFact, r.n) : '—'} | ` +
        `${percentile(r.times, 50).toFixed(3)} | ${percentile(r.times, 99).toFixed(3)} |`,
    );
  }
  return out.join('\n');
}

function taskTable(): string {
  const out = [
    '**User tasks that lose a fact they need** (links, emails, IBANs, numbers of their ground-truth tool outputs, and the facts their checks name, compared un-defanged)',
    '',
    '| suite | user tasks | facts checked | tasks losing a fact (standard) | tasks losing a fact (strict) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const s of ['workspace', 'travel', 'banking', ...(tuningOnly ? [] : ['slack'])]) {
    const ts = [...tasks.entries()].filter(([k]) => k.startsWith(`${s}|`)).map(([, t]) => t);
    const facts = ts.reduce((a, t) => a + t.facts, 0);
    const std = ts.filter((t) => t.standard.size > 0).length;
    const strict = ts.filter((t) => t.strict.size > 0).length;
    out.push(`| ${s} | ${ts.length} | ${facts} | ${std} | ${strict} |`);
  }
  const lostStd = [...tasks.entries()].filter(([, t]) => t.standard.size > 0);
  if (lostStd.length > 0)
    out.push('', ...lostStd.map(([k, t]) => `- ${k}: ${[...t.standard].slice(0, 5).join(', ')}`));
  return out.join('\n');
}

const lines = [
  `### Instruction findings on AgentDojo 0.1.35 (benchmark v1.2.2) — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine()}. ${records.length} rendered texts (bench/agentdojo.sh; no model called).`,
  'Each text goes the production way: `sanitize()` at `standard`, then `findInstructions()` on',
  'the sanitized text (what the card shows); time per text is both together. Goal: the injection',
  "task GOAL's first sentence (split as the finder splits, trailing punctuation dropped). Inside",
  'findings: located verbatim (its links defanged, on the card), it lies wholly inside the union of',
  'finding spans. Kept on the card: present in the sanitized text, un-defanged. Benign rows: the',
  'injection-vector defaults and the ground-truth tool outputs.',
  'Goals: ≥ 95% goal found per attack type, ≤ 5% benign tool outputs with a finding, 0 user tasks',
  'losing a needed link or fact at standard, ≤ 1 ms median.',
  '',
  table('tuning', 'Tuning suites (workspace + travel + banking)'),
  '',
  ...(tuningOnly ? [] : [table('slack', 'Reported suite (slack, not tuned on)'), '']),
  taskTable(),
  '',
];
for (const s of ['workspace', 'travel', 'banking']) lines.push(table(s, `Per suite: ${s}`), '');
process.stdout.write(lines.join('\n'));

if (showMisses > 0) {
  const seen = new Set<string>();
  process.stderr.write(
    `\n${misses.length} tuning-suite goals not inside findings on the card; distinct:\n`,
  );
  for (const { rec, card } of misses) {
    const k = `${rec.attack}|${rec.goal}`;
    if (seen.has(k) || seen.size >= showMisses) continue;
    seen.add(k);
    process.stderr.write(
      `- [${rec.suite} ${rec.attack} ${rec.injection_task}] ${JSON.stringify(card.slice(0, 300))}\n`,
    );
  }
  process.stderr.write(`\n${falsePositives.length} tuning-suite benign texts with findings:\n`);
  const fpSeen = new Set<string>();
  for (const f of falsePositives) {
    if (fpSeen.has(f.sentence) || fpSeen.size >= showMisses) continue;
    fpSeen.add(f.sentence);
    process.stderr.write(
      `- [${f.rec.suite} ${f.rec.attack} ${f.rec.user_task ?? ''} ${f.rec.vector}] ${f.sentence}\n`,
    );
  }
}
