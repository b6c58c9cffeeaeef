// Where CLI commands read and write: the process by default, a buffer in tests.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Output and input for a CLI command. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Read all of standard input. */
  stdin(): Promise<string>;
  /** Standard input line by line, as typed (interactive commands); ends at EOF. */
  lines?(): AsyncIterable<string>;
}

/** The real process streams. */
export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: () => Promise.resolve(readFileSync(0, 'utf8')),
  lines: () => createInterface({ input: process.stdin, terminal: false }),
};

/** An in-memory CliIo for tests; `out` and `err` collect what was written. */
export function bufferIo(input = ''): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    stdin: () => Promise.resolve(input),
  };
  return io;
}

/**
 * Untrusted text (a request, an agent's reply) made safe for a terminal: control characters
 * (escape sequences that could move the cursor, recolour or rewrite what was printed before) shown
 * as `\u…`; line breaks and tabs kept.
 */
export const terminalSafe = (text: string): string =>
  text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** `parseArgs` options that each take one string value: `--name value`. */
export function stringOptions<const N extends string>(
  ...names: N[]
): { [K in N]: { type: 'string' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as {
    [K in N]: { type: 'string' };
  };
}
