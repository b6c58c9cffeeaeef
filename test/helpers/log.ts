// A logger for tests that keeps what it writes: the raw text and the JSON lines, so a test can
// check what was (and was not) logged.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.ts';

/** A logger at `level` whose output is kept: `text()` as written, `lines()` parsed. */
export function captureLogger(level = 'info'): {
  logger: Logger;
  text: () => string;
  lines: () => Record<string, unknown>[];
} {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  const text = () => raw.join('');
  return {
    logger: createLogger({ level }, sink),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
