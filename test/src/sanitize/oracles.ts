// Independent checks for sanitized output, written separately from the scanners they check: if a
// stage lets something through, these plain patterns (run on short outputs only) still see it.
import { fold } from '../../../src/sanitize/skeleton.ts';

/** Every problem found in `out`, as short descriptions (empty when clean). */
export function residue(out: string): string[] {
  const problems: string[] = [];
  // Safe: single character classes, no nested quantifiers; outputs here are small.
  if (/[\p{Cc}\p{Cf}\p{Cs}\ufffd]/u.test(out.replace(/[\t\n]/g, ''))) problems.push('invisible');
  const f = fold(out.normalize('NFKC')).replace(/[ \t]+/g, ' ');
  if (/<\|[^|<>\n]{1,40}\|>/.test(f)) problems.push('special token');
  if (/\[\/?inst\]|<<\/?sys>>/.test(f)) problems.push('llama markers');
  if (/<\/?(system|assistant|user|tool_call|function_call|im_start|start_of_turn)\s*>/.test(f)) {
    problems.push('role tag');
  }
  if (/<function=[^<>]*>/.test(f)) problems.push('function tag');
  if (/ignore (all )?(the )?(previous|prior|above) instructions/.test(f)) problems.push('override');
  if (/disregard (all )?(the |your )?(previous|prior|above) (instructions|rules)/.test(f)) {
    problems.push('override');
  }
  if (/new instructions ?:/.test(f)) problems.push('new instructions');
  if (/"name" ?: ?"[^"]*" ?, ?"arguments" ?:/.test(f)) problems.push('tool call json');
  return problems;
}
