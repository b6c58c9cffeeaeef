// The inbox's on-disk format: one append-only JSON-lines file holding accepted decisions
// (`{"seq","workflowId","decision"}`) or verified clicks as received (`{"seq","workflowId","click"}`)
// and delivery markers (`{"delivered":[seq…]}`). Reading it
// yields the entries not yet marked delivered; a line that does not parse (a write torn by a
// crash) is skipped and reported. Rewriting goes through a temporary file and a rename, so a crash
// leaves either the old file or the new one, never a mix.
import { open, readFile, rename } from 'node:fs/promises';
import type { ApprovalDecision } from '../../workflows/sensitive-action/messages.ts';

/** A verified card click as it arrived, handed to the Chat SDK once it is acknowledged. */
export interface StoredClick {
  platform: 'teams' | 'slack';
  contentType: string;
  body: string;
  /** ISO time the webhook received it. */
  receivedAt: string;
  /** The platform's id of this delivery (a redelivery carries the same one). */
  deliveryId: string;
}

/** One accepted decision or click; `seq` orders them and names them in delivery markers. */
export interface InboxEntry {
  seq: number;
  workflowId: string;
  decision?: ApprovalDecision;
  click?: StoredClick;
}

/** What a read of the file found. */
export interface InboxContents {
  /** Accepted and not marked delivered, in file order. */
  undelivered: InboxEntry[];
  /** The highest seq in the file (0 when empty). */
  lastSeq: number;
  /** 1-based numbers of lines that did not parse. */
  skippedLines: number[];
}

/** The line (with its newline) recording `entry`. */
export const entryLine = (entry: InboxEntry): string => `${JSON.stringify(entry)}\n`;

/** The line (with its newline) marking `seqs` delivered. */
export const deliveredLine = (seqs: number[]): string => `${JSON.stringify({ delivered: seqs })}\n`;

/** Read `file` (a missing file is empty). */
export async function readInbox(file: string): Promise<InboxContents> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const entries = new Map<number, InboxEntry>();
  const delivered = new Set<number>();
  const skippedLines: number[] = [];
  let lastSeq = 0;
  const lines = text.split('\n');
  // Every complete line ends with '\n', so the last piece is '' unless a write was torn.
  lines.forEach((line, i) => {
    if (line === '' && i === lines.length - 1) return;
    const parsed = parse(line);
    if (parsed === null) skippedLines.push(i + 1);
    else if (Array.isArray(parsed)) for (const seq of parsed) delivered.add(seq);
    else {
      entries.set(parsed.seq, parsed);
      lastSeq = Math.max(lastSeq, parsed.seq);
    }
  });
  for (const seq of delivered) lastSeq = Math.max(lastSeq, seq);
  const undelivered = [...entries.values()].filter((e) => !delivered.has(e.seq));
  return { undelivered, lastSeq, skippedLines };
}

function parse(line: string): InboxEntry | number[] | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
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
  const click = v['click'] as Record<string, unknown> | null | undefined;
  const isDecision =
    typeof decision === 'object' && decision !== null && typeof decision['decisionId'] === 'string';
  const isClick =
    typeof click === 'object' &&
    click !== null &&
    (click['platform'] === 'teams' || click['platform'] === 'slack') &&
    typeof click['body'] === 'string' &&
    typeof click['contentType'] === 'string' &&
    typeof click['receivedAt'] === 'string' &&
    typeof click['deliveryId'] === 'string';
  if (
    Number.isSafeInteger(v['seq']) &&
    typeof v['workflowId'] === 'string' &&
    isDecision !== isClick
  ) {
    return value as InboxEntry;
  }
  return null;
}

/** Replace `file` with exactly `entries`, durably (temporary file, fsync, rename, fsync dir). */
export async function rewriteInbox(
  dir: string,
  file: string,
  entries: InboxEntry[],
): Promise<number> {
  const body = entries.map(entryLine).join('');
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  // The rename itself is durable only once the directory is.
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  return Buffer.byteLength(body);
}
