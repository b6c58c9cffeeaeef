// Plain-text rendering of an analysis and of suggestions: aligned tables a person reads in a
// terminal, with the thresholds behind every signal stated next to it.
import type { Analysis } from './analyze.ts';
import type { GroupStats } from './stats.ts';
import type { SuggestResult } from './suggest.ts';

/** The analysis as text tables. */
export function formatAnalysis(a: Analysis): string {
  const th = a.thresholds;
  const out = [
    `Audit window ${a.window.since} – ${a.window.until}: ${a.records} records, ${a.requests} requests (${a.withFields} with recorded fields)${a.orphans ? `, ${a.orphans} decisions/cards of requests begun before the window not counted` : ''}.`,
    '',
    'Per rule (most cards first):',
    table(a.byRule, 'rule'),
    '',
    'Per agent:',
    table(a.byAgent, 'agent'),
    '',
    `Rubber-stamp signals (reading ${th.wordsPerMinute} words/min; a card is ${th.cardWords} words + ${th.wordsPerField} per body field; office hours ${th.officeHours[0]}:00–${th.officeHours[1]}:00 ${a.timeZone}):`,
  ];
  const lines: string[] = [];
  for (const s of a.signals) {
    const share = s.decisions ? Math.round((100 * s.fast) / s.decisions) : 0;
    lines.push(
      `  ${s.rule}: ${s.decisions} decisions, ${s.fast} (${share}%) faster than reading the card`,
    );
    for (const p of s.fastApprovers)
      lines.push(
        `    ! ${p.name}: ${p.fast} of ${p.decisions} decisions faster than reading the card (flag: ≥ ${th.fastShare * 100}% of ≥ ${th.minDecisions})`,
      );
    if (s.dominant)
      lines.push(
        `    ! ${s.dominant.name} decided ${s.dominant.decisions} of ${s.decisions} (${Math.round(s.dominant.share * 100)}%; flag: > ${th.dominantShare * 100}% of ≥ ${th.minRuleDecisions})`,
      );
    if (s.bursts.length > 0) {
      const total = s.bursts.reduce((n, b) => n + b.approvals, 0);
      const first = s.bursts.slice(0, 3).map((b) => `${b.name} ${b.approvals} at ${b.at}`);
      lines.push(
        `    ! ${s.bursts.length} odd-hour bursts, ${total} approvals (flag: ≥ ${th.burstSize} by one person within ${th.burstMinutes} min): ${first.join('; ')}${s.bursts.length > 3 ? '; …' : ''}`,
      );
    }
  }
  out.push(...(lines.length ? lines : ['  (no human decisions in the window)']));
  return `${out.join('\n')}\n`;
}

function table(rows: GroupStats[], what: string): string {
  const head = [
    what,
    'requests',
    'cards',
    'approved',
    'rejected',
    'expired',
    'pending',
    'allowed',
    'granted',
    'denied',
    'median',
    'p90',
  ];
  const secs = (s: number | null) =>
    s === null
      ? '-'
      : s < 120
        ? `${Math.round(s)}s`
        : s < 7200
          ? `${Math.round(s / 60)}m`
          : `${Math.round(s / 3600)}h`;
  const body = rows.map((r) => [
    r.key,
    String(r.requests),
    String(r.cards),
    String(r.outcomes.approved),
    String(r.outcomes.rejected),
    String(r.outcomes.expired),
    String(r.outcomes.pending),
    String(r.outcomes.allowed),
    String(r.outcomes.granted),
    String(r.outcomes.denied),
    secs(r.medianDecisionSeconds),
    secs(r.p90DecisionSeconds),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]) =>
    `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`;
  return [line(head), ...body.map(line)].join('\n');
}

/** Suggestions as text: each with its measured effect, then the total and the diff. */
export function formatSuggestions(r: SuggestResult): string {
  const out = [
    `Replayed ${r.baseline.cards} cards against the current policy (${r.baseline.unreplayable} requests kept as recorded: their fields were not recorded or the policy changed for them).`,
  ];
  const held = r.held.map(
    (h) =>
      `  - rule ${h.rule}: no suggestion: ${h.unreplayableRefused} refused requests on its capability cannot be replayed (their fields were not recorded), so no edit can be shown not to let them through`,
  );
  if (r.suggestions.length === 0) {
    out.push(
      'No suggestion: no edit would save cards without letting a rejected, expired or denied request through.',
      ...held,
    );
    return `${out.join('\n')}\n`;
  }
  out.push('', 'Suggestions (each measured alone by replaying the window):');
  for (const s of r.suggestions) out.push(`  - ${s.summary}`);
  out.push(...held);
  const c = r.combined;
  out.push(
    '',
    `All together: ${r.baseline.cards} → ${c.cards} cards (${r.baseline.cards - c.cards} fewer); rejected requests that would have passed: ${c.rejectedPassing.length}; expired: ${c.expiredPassing.length}; denied: ${c.deniedPassing.length}; still undecided at the window's end: ${c.pendingPassing.length}.`,
    'A suggestion is made only when no request that a human rejected, that expired unanswered or that the policy denied would have passed.',
    '',
    'Policy diff (apply with `git apply` or `patch -p1`, then run `airlock policy check`):',
    r.diff,
  );
  return `${out.join('\n')}\n`;
}
