// The "Looked up this turn" block of an agent's card: what the agent read through MCP servers in
// the turn that made the request, from the session's record of the calls Airlock executed (not the
// agent's own account). Each lookup is one line, `orders.query → id: A-1001 · customer: …`, with its
// arguments under it (secret-looking ones masked). Every string here is untrusted: the card escapes it.
import { CardText, type CardChild } from 'chat';
import { maskSecrets } from '../actions/secret-fields.ts';
import { findingsView, type FindingsView } from './card-findings.ts';
import type { ActionRequest } from '../../workflows/sensitive-action/request.ts';

/** One lookup as the card words it. */
export interface LookupView {
  /** `<server>.<tool>`, e.g. `orders.query`. */
  call: string;
  /** The arguments on one line, e.g. `sql: SELECT … FROM orders WHERE id = 'A-1001'`. */
  args: string;
  /** What came back, one line each: a row of a JSON table, or the text itself. */
  result: string[];
  /** The result was cut before the card got it. */
  truncated: boolean;
  /** The sentences of the result that tell the agent to act; the card shows them first. */
  instructions?: FindingsView;
}

/** The heading of the block. */
export const lookupHeading = 'Looked up this turn';
/** Rows of one result shown; the rest are counted. */
const rowsShown = 5;
/** Characters of one shown line (the card caps every text again). */
const lineMax = 500;

/** The lookups of `request`'s turn as the card shows them (none: empty). */
export function lookupViews(request: ActionRequest): LookupView[] {
  return (request.context?.lookups ?? []).map((l) => ({
    call: `${l.server}.${l.tool}`,
    args: oneLine(maskSecrets(l.arguments)),
    result: resultLines(l.result),
    truncated: l.truncated,
    ...(l.instructions?.length
      ? {
          instructions: findingsView(
            l.instructions,
            `What ${l.server}.${l.tool} gave back asks the agent to:`,
          ),
        }
      : {}),
  }));
}

/** The block's card lines: the heading, then per lookup its result line(s) and arguments. */
export function lookupLines(
  views: LookupView[] | undefined,
  f: (s: string, max?: number) => string,
): CardChild[] {
  if (!views?.length) return [];
  const lines: CardChild[] = [CardText(lookupHeading, { style: 'bold' })];
  for (const v of views) {
    const [first = '(nothing)', ...more] = v.result;
    lines.push(CardText(`${f(v.call)} → ${f(first, lineMax)}`));
    for (const row of more) lines.push(CardText(`${f(v.call)} → ${f(row, lineMax)}`));
    const note = v.truncated ? ' (result shortened)' : '';
    lines.push(CardText(`${f(v.args, lineMax)}${note}`, { style: 'muted' }));
  }
  return lines;
}

/** Every lookup's instruction findings, for the top of the card (none: empty). */
export function lookupFindings(views: LookupView[] | undefined): FindingsView[] {
  return (views ?? []).flatMap((v) => (v.instructions ? [v.instructions] : []));
}

/** A JSON table (the PostgreSQL server's rows) as one line per row; any other text as one line. */
function resultLines(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [flat(text)];
  }
  const rows = Array.isArray(value) ? value : [value];
  if (rows.length === 0) return ['no rows'];
  const shown = rows.slice(0, rowsShown).map(oneLine);
  const rest = rows.length - shown.length;
  return rest > 0 ? [...shown, `… and ${rest} more row${rest === 1 ? '' : 's'}`] : shown;
}

/** An object as `key: value · key: value`; anything else as its JSON, on one line. */
function oneLine(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? flat(v) : JSON.stringify(v)}`)
      .join(' · ');
  }
  return flat(typeof value === 'string' ? value : JSON.stringify(value));
}

// Line breaks would start lists and quotes in the card's markdown.
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
