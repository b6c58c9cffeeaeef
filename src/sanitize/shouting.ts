// Shouting before an order ("IMPORTANT!!! Ignore all previous instructions…", AgentDojo's
// injecagent template): an alarm word followed by two or more `!`, when the sentence after it is an
// instruction finding. The alarm goes and is reported; the order itself stays for the finder and the
// approver (the phrase stage removes it only when it is an override). "Important!! The office is
// closed" stays: no order follows. Linear: each run of alarms reads at most 300 characters after it.
import { findInstructions, sentences } from './instructions.ts';
import type { Report } from './report.ts';
import { Editor, isAsciiLetter, isSpace } from './scan.ts';

/** Alarm words, folded to lower case. */
const ALARMS = new Set([
  'important',
  'urgent',
  'attention',
  'warning',
  'alert',
  'critical',
  'notice',
  'note',
  'caution',
  'emergency',
  'priority',
  'mandatory',
  'immediately',
  'action',
  'required',
]);
const LOOK_AHEAD = 300;

/** The alarm `WORD!!` whose `!` run starts at `bang`: [start, end), or undefined. */
function alarmAt(text: string, bang: number): [number, number] | undefined {
  let end = bang;
  while (text.charCodeAt(end) === 0x21) end++;
  if (end - bang < 2) return undefined;
  let start = bang;
  while (start > 0 && bang - start <= 12 && isAsciiLetter(text.charCodeAt(start - 1))) start--;
  if (start > 0 && isAsciiLetter(text.charCodeAt(start - 1))) return undefined;
  return ALARMS.has(text.slice(start, bang).toLowerCase()) ? [start, end] : undefined;
}

/** True when the first sentence from `from` on is an instruction finding. */
function orderFollows(text: string, from: number): boolean {
  const window = text.slice(from, from + LOOK_AHEAD);
  const first = sentences(window)[0];
  return first !== undefined && findInstructions(window.slice(first.start, first.end)).length > 0;
}

/** Remove alarm words shouted before an order, reporting each run as an instruction override. */
export function removeShouting(text: string, report: Report): string {
  let bang = text.indexOf('!!');
  if (bang < 0) return text;
  const ed = new Editor(text);
  while (bang >= 0) {
    const first = alarmAt(text, bang);
    if (!first) {
      let next = bang;
      while (text.charCodeAt(next) === 0x21) next++;
      bang = text.indexOf('!!', next);
      continue;
    }
    // A run of alarms separated by blanks goes together ("URGENT!!! IMPORTANT!!! send …").
    const start = first[0];
    let end = first[1];
    let after = end;
    while (isSpace(text.charCodeAt(after))) after++;
    for (;;) {
      const b = text.indexOf('!!', after);
      const more = b >= 0 && b - after <= 13 ? alarmAt(text, b) : undefined;
      if (!more || more[0] !== after) break;
      end = more[1];
      for (after = end; isSpace(text.charCodeAt(after));) after++;
    }
    if (start >= ed.cutEnd && orderFollows(text, after)) {
      report.add('instruction-override', text.slice(start, end));
      // Blanks after the alarm go with it, not a line end (the line's other text keeps its place).
      let cutTo = end;
      while (text.charCodeAt(cutTo) === 0x20 || text.charCodeAt(cutTo) === 0x09) cutTo++;
      ed.cut(start, cutTo);
    }
    bang = text.indexOf('!!', end);
  }
  return ed.done();
}
