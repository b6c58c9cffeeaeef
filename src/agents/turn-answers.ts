// What the gateway saw the model answer in a session's turn: the last model call's text (null when
// that call gave no answer) and every progress message the model asked to send (`send_message`
// tool calls), kept in this process and in a host file outside every mounted directory, so a turn
// retried on another worker after its runner had finished (and saved its reply in the workspace)
// still posts what the model said. The box can write neither.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ModelAnswer } from '../gateway/answer-text.ts';

/** A turn's record: its last answer (`text` null when the last model call gave none) and messages. */
export interface TurnAnswer {
  turn: string;
  text: string | null;
  /** The `send_message` texts the model asked for in this turn, trimmed. */
  messages: string[];
}

/** The progress messages a model answer asks to send. */
function messagesIn(answer: ModelAnswer): string[] {
  const texts: string[] = [];
  for (const call of answer.toolCalls) {
    if (call.name !== 'send_message') continue;
    try {
      const { text } = JSON.parse(call.arguments) as { text?: unknown };
      if (typeof text === 'string' && text.trim()) texts.push(text.trim());
    } catch {
      // Arguments the runner cannot parse either: no message comes of them.
    }
  }
  return texts;
}

/** One session's record of the model's answers, by turn. */
export class TurnAnswers {
  private last: TurnAnswer | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** The model call in `turn` started (null) or answered. Between turns: ignored. */
  record(turn: string | null, answer: ModelAnswer | null): void {
    if (turn === null) return;
    const messages = this.last?.turn === turn ? this.last.messages : [];
    const entry: TurnAnswer = {
      turn,
      text: answer ? answer.text : null,
      messages: answer ? [...messages, ...messagesIn(answer)] : messages,
    };
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
      return {
        turn,
        text: typeof saved.text === 'string' ? saved.text : null,
        messages: Array.isArray(saved.messages)
          ? saved.messages.filter((m) => typeof m === 'string')
          : [],
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** True when the model asked, in `turn`, to send `text` to the person. */
  async asked(turn: string, text: string): Promise<boolean> {
    return (await this.get(turn))?.messages.includes(text.trim()) ?? false;
  }

  private async write(entry: TurnAnswer): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
