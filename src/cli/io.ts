// Where CLI commands read and write: the process by default, a buffer in tests.
import { readFileSync } from 'node:fs';

/** Output and input for a CLI command. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Read all of standard input. */
  stdin(): Promise<string>;
}

/** The real process streams. */
export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: () => Promise.resolve(readFileSync(0, 'utf8')),
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
