// Policy edits as text changes to the file that defines a rule: insert a rule before it, or offer a
// duration grant on it. Edits touch only the lines they change, so comments and layout survive and
// the diff shows exactly the edit.
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { AirlockError } from '../../errors.ts';

/** A new rule to insert: the keys of a policy rule, written in this order. */
export interface NewRule {
  id: string;
  description: string;
  [key: string]: unknown;
}

/** `text` with `rule` inserted as the rule just before rule `before`. */
export function insertRuleBefore(text: string, before: string, rule: NewRule): string {
  const item = ruleNode(text, before);
  const start = lineStart(text, item.range?.[0] ?? 0);
  const prefix = text.slice(start, item.range?.[0] ?? 0);
  const indent = ' '.repeat(prefix.indexOf('-'));
  const lines = Object.entries(rule)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v], i) => {
      const lead = i === 0 ? `${indent}- ` : `${indent}  `;
      if (k === 'when' && Array.isArray(v))
        return [`${lead}${k}:`, ...v.map((c) => `${indent}    - ${flow(c)}`)];
      return [`${lead}${k}: ${flow(v)}`];
    });
  return `${text.slice(0, start)}${lines.join('\n')}\n\n${text.slice(start)}`;
}

/** `text` with rule `ruleId` also offering a grant for a duration of at most `maxDuration`. */
export function offerDurationGrant(text: string, ruleId: string, maxDuration: string): string {
  const approval = ruleNode(text, ruleId).get('approval', true);
  if (!isMap(approval) || approval.flow)
    throw new AirlockError(
      'analysis_edit',
      `rule ${ruleId}: approval is not a block mapping; edit it by hand`,
    );
  const first = approval.items[0];
  const firstKey = first?.key as { range?: [number, number, number] } | undefined;
  if (!firstKey?.range) throw new AirlockError('analysis_edit', `rule ${ruleId}: empty approval`);
  const keyStart = firstKey.range[0];
  const indent = ' '.repeat(keyStart - lineStart(text, keyStart));
  const grants = approval.items.find((p) => (p.key as { value?: unknown }).value === 'grants');
  const value = grants?.value as { range?: [number, number, number] } | undefined;
  if (!grants || !value?.range) {
    const at = lineStart(text, keyStart);
    const add = `${indent}grants: [once, duration]\n${indent}grantMaxDuration: ${maxDuration}\n`;
    return `${text.slice(0, at)}${add}${text.slice(at)}`;
  }
  const kinds = (approval.toJSON() as { grants?: string[] }).grants ?? [];
  const raw = text.slice(value.range[0], value.range[1]).replace(/\s+$/, '');
  const end = value.range[0] + raw.length;
  const list = `[${[...kinds, 'duration'].join(', ')}]\n${indent}grantMaxDuration: ${maxDuration}`;
  return `${text.slice(0, value.range[0])}${list}${text.slice(end)}`;
}

/** The mapping of rule `id` in `text` (a policy file). */
function ruleNode(text: string, id: string): YAMLMap {
  const doc = parseDocument(text);
  const rules = doc.get('rules', true);
  if (isSeq(rules))
    for (const item of rules.items)
      if (isMap(item) && item.get('id') === id && item.range) return item;
  throw new AirlockError('analysis_edit', `rule ${id} is not in this file`);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** A YAML flow rendering of a rule value: bare words where YAML reads them back as strings. */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (typeof v === 'object' && v !== null)
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(', ')} }`;
  if (
    typeof v === 'string' &&
    /^[A-Za-z_/][A-Za-z0-9_./*-]*$/.test(v) &&
    !/^(true|false|null|yes|no|on|off|y|n)$/i.test(v)
  )
    return v;
  return JSON.stringify(v);
}

/** A unified diff (3 lines of context) turning `before` into `after`, for file `path`. */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const lines = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const ops = lineOps(lines(before), lines(after));
  const changed = ops.flatMap((o, i) => (o[0] === ' ' ? [] : [i]));
  const groups: number[][] = [];
  for (const i of changed) {
    const group = groups.at(-1);
    if (group && i - (group.at(-1) as number) <= 7) group.push(i);
    else groups.push([i]);
  }
  const hunks = groups.map((group) => {
    const start = Math.max(0, (group[0] as number) - 3);
    const stop = Math.min(ops.length, (group.at(-1) as number) + 4);
    const slice = ops.slice(start, stop);
    const count = (list: [string, string][], skip: string) =>
      list.filter((o) => o[0] !== skip).length;
    const head = `@@ -${count(ops.slice(0, start), '+') + 1},${count(slice, '+')} +${count(ops.slice(0, start), '-') + 1},${count(slice, '-')} @@`;
    return [head, ...slice.map((o) => `${o[0]}${o[1]}`)].join('\n');
  });
  return `--- a/${path}\n+++ b/${path}\n${hunks.join('\n')}\n`;
}

/** Line operations (' ', '-', '+') from an LCS table; policy files are small. */
function lineOps(a: string[], b: string[]): [string, string][] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (
    suf < a.length - pre &&
    suf < b.length - pre &&
    a[a.length - 1 - suf] === b[b.length - 1 - suf]
  )
    suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  const w = y.length + 1;
  const lcs = new Uint32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i * w + j] =
        x[i] === y[j]
          ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
  const ops: [string, string][] = a.slice(0, pre).map((l) => [' ', l]);
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      ops.push([' ', x[i++] as string]);
      j++;
    } else if (
      i < x.length &&
      (j >= y.length || (lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0))
    )
      ops.push(['-', x[i++] as string]);
    else ops.push(['+', y[j++] as string]);
  }
  for (const l of a.slice(a.length - suf)) ops.push([' ', l]);
  return ops;
}
