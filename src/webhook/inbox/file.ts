// The inbox's on-disk format: one append-only file of sealed JSON lines (auth.ts) holding
// accepted decisions (`{"seq","workflowId","decision"}`) and delivery markers
// (`{"delivered":[seq…]}`). Reading it yields the entries not yet marked delivered. A last line
// that does not parse (a write torn by a crash) is skipped; any other line that fails its MAC or
// does not parse is reported as tampered, and never delivered. Rewriting goes through a temporary
// file and a rename, so a crash leaves either the old file or the new one, never a mix.
import { readFile, rename } from 'node:fs/promises';
import type { ApprovalDecision } from '../../../workflows/sensitive-action/messages.ts';
import { syncDir, writeDurably } from '../../durable-file.ts';
import { openLine, sealLine } from './auth.ts';

/** One accepted decision; `seq` orders them and names them in delivery markers. */
export interface InboxEntry {
  seq: number;
  workflowId: string;
  decision: ApprovalDecision;
}

/** What a read of the file found. */
export interface InboxContents {
  /** Accepted and not marked delivered, in file order. */
  undelivered: InboxEntry[];
  /** The highest seq in the file (0 when empty). */
  lastSeq: number;
  /** 1-based number of a torn last line, if there is one. */
  tornLines: number[];
  /** Lines that failed their check, as found (1-based number and text). */
  tampered: { line: number; text: string }[];
}

/** The sealed line (with its newline) recording `entry`. */
export const entryLine = (key: Buffer, entry: InboxEntry): string =>
  sealLine(key, JSON.stringify(entry));

/** The sealed line (with its newline) marking `seqs` delivered. */
export const deliveredLine = (key: Buffer, seqs: number[]): string =>
  sealLine(key, JSON.stringify({ delivered: seqs }));

/** Read `file` (a missing file is empty), checking each line with `key`. */
export async function readInbox(file: string, key: Buffer): Promise<InboxContents> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const entries = new Map<number, InboxEntry>();
  const delivered = new Set<number>();
  const contents: InboxContents = { undelivered: [], lastSeq: 0, tornLines: [], tampered: [] };
  const lines = text.split('\n');
  // Every complete line ends with '\n', so the last piece is '' unless a write was torn.
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    if (line === '' && last) return;
    const opened = openLine(key, line);
    const parsed = 'json' in opened ? parse(opened.json) : null;
    if (parsed === null) {
      if ('failed' in opened && opened.failed === 'torn' && last) contents.tornLines.push(i + 1);
      else contents.tampered.push({ line: i + 1, text: line });
    } else if (Array.isArray(parsed)) for (const seq of parsed) delivered.add(seq);
    else {
      entries.set(parsed.seq, parsed);
      contents.lastSeq = Math.max(contents.lastSeq, parsed.seq);
    }
  });
  for (const seq of delivered) contents.lastSeq = Math.max(contents.lastSeq, seq);
  contents.undelivered = [...entries.values()].filter((e) => !delivered.has(e.seq));
  return contents;
}

function parse(json: string): InboxEntry | number[] | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['delivered'])) {
    return v['delivered'].every((s) => Number.isSafeInteger(s))
      ? (v['delivered'] as number[])
      : null;
  }
  const decision = v['decision'] as Record<string, unknown> | null | undefined;
  const isDecision =
    typeof decision === 'object' && decision !== null && typeof decision['decisionId'] === 'string';
  if (Number.isSafeInteger(v['seq']) && typeof v['workflowId'] === 'string' && isDecision) {
    return value as InboxEntry;
  }
  return null;
}

/** Replace `file` with exactly `entries`, durably (temporary file, fsync, rename, fsync dir). */
export async function rewriteInbox(
  dir: string,
  file: string,
  key: Buffer,
  entries: InboxEntry[],
): Promise<number> {
  const body = entries.map((e) => entryLine(key, e)).join('');
  const tmp = `${file}.tmp`;
  await writeDurably(tmp, body, 'w');
  await rename(tmp, file);
  await syncDir(dir);
  return Buffer.byteLength(body);
}

/** Append `text` to `file` (created 0600) and fsync it: the inbox's files set aside. */
export async function appendDurably(file: string, text: string): Promise<void> {
  await writeDurably(file, text, 'a');
}

/** The number of lines in `file` (0 when it is missing). */
export async function countLines(file: string): Promise<number> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').filter((l) => l !== '').length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
