// `airlock sanitize`: clean another agent's answer read from standard input and print the result
// as JSON ({ text, removed, truncated, instructions }), so operators can see what the approver
// would see: the clean text, what went, and the sentences in it that tell the reader to act.
import { parseArgs } from 'node:util';
import { findInstructions } from '../sanitize/instructions.ts';
import { sanitize } from '../sanitize/sanitize.ts';
import { LEVELS } from '../sanitize/types.ts';
import type { Level } from '../sanitize/types.ts';
import type { CliIo } from './io.ts';

/** Usage of `airlock sanitize`. */
export const USAGE = `usage: airlock sanitize [--level lenient|standard|strict] [--max-length N] < answer.txt

Reads text from standard input and prints {"text", "removed", "truncated", "instructions"} as
JSON; "instructions" lists the sentences of the clean text that address an AI or tell the reader
to act (kind, span, sentence, reason): they are reported, not removed.
  --level        how hard to cut (default: standard)
  --max-length   maximum output length in UTF-16 code units, 1..4194304 (default: 4000)
`;

function fail(io: CliIo, message: string): number {
  io.stderr(`airlock sanitize: ${message}\n\n${USAGE}`);
  return 2;
}

/** Run `airlock sanitize` with its arguments; returns the exit code (2 for bad flags). */
export async function run(args: string[], io: CliIo): Promise<number> {
  let values: { level?: string; 'max-length'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        level: { type: 'string' },
        'max-length': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const level = values.level ?? 'standard';
  if (!(LEVELS as readonly string[]).includes(level)) {
    return fail(io, `--level must be one of ${LEVELS.join(', ')} (got "${level}")`);
  }
  const rawMax = values['max-length'] ?? '4000';
  const maxLength = /^[0-9]{1,7}$/.test(rawMax) ? Number(rawMax) : NaN; // Safe: one bounded class.
  if (!(maxLength >= 1 && maxLength <= 4 * 1024 * 1024)) {
    return fail(io, `--max-length must be an integer from 1 to 4194304 (got "${rawMax}")`);
  }
  const result = sanitize(await io.stdin(), { level: level as Level, maxLength });
  io.stdout(`${JSON.stringify({ ...result, instructions: findInstructions(result.text) })}\n`);
  return 0;
}
