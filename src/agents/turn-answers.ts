// What the gateway saw the model answer in a session's turn: the last model call's text (null when
// that call gave no answer), kept in this process and in a host file outside every mounted
// directory, so a turn retried on another worker after its runner had finished (and saved its
// reply in the workspace) still posts what the model said. The box can write neither.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The last answer of a turn: `text` null when the turn's last model call gave none. */
export interface TurnAnswer {
  turn: string;
  text: string | null;
}

/** One session's record of the model's answers, by turn. */
export class TurnAnswers {
  private last: TurnAnswer | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** The model call in `turn` started (null) or answered (its text). Between turns: ignored. */
  record(turn: string | null, text: string | null): void {
    if (turn === null) return;
    const entry = { turn, text };
    this.last = entry;
    // Written in order; a failed write is retried by the next one (the memory copy still answers).
    this.writes = this.writes.then(() => this.write(entry)).catch(() => undefined);
  }

  /** The answer the gateway saw last in `turn`: undefined when it saw no model call in it. */
  async get(turn: string): Promise<TurnAnswer | undefined> {
    if (this.last?.turn === turn) return this.last;
    await this.writes;
    try {
      const saved = JSON.parse(await readFile(this.file, 'utf8')) as Partial<TurnAnswer>;
      if (saved.turn !== turn) return undefined;
      return { turn, text: typeof saved.text === 'string' ? saved.text : null };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async write(entry: TurnAnswer): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
