// The error a policy set that does not validate throws: every problem at once, each with the
// file, the line and column in it, the JSON path and a message.
import { AirlockError } from '../errors.ts';
import type { SourceFile } from './locate.ts';
import { jsonPath, locate } from './locate.ts';
import type { PolicyProblem } from './types.ts';

/** Thrown by loadPolicySet with code `policy_invalid`; `problems` lists every problem found. */
export class PolicyInvalidError extends AirlockError {
  readonly problems: PolicyProblem[];

  constructor(problems: PolicyProblem[]) {
    const n = problems.length;
    super(
      'policy_invalid',
      `Invalid policy (${n} problem${n === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** One problem as `file:line:column: $.path: message` (`…: warning: message` for a warning). */
export function formatProblem(p: PolicyProblem, severity: 'error' | 'warning' = 'error'): string {
  const label = severity === 'warning' ? 'warning: ' : '';
  return `${p.file}:${p.line}:${p.column}: ${p.path}: ${label}${p.message}`;
}

/** A problem at `path` (or at the key `key` inside it) of a parsed file. */
export function problemAt(
  src: SourceFile,
  path: readonly PropertyKey[],
  message: string,
  key?: string,
): PolicyProblem {
  const { line, column } = locate(src, path, key);
  return { file: src.file, line, column, path: jsonPath(key ? [...path, key] : path), message };
}
