// The audit log's head anchor: the last record's sequence number and hash, kept in a file beside
// the log (`<log>.head`, replaced atomically on every append) and signed with an HMAC key derived
// from the payload key. Deleting records from the end leaves a valid chain; the anchor still names
// the record that was last, so `verify` reports the missing tail. The anchor cannot be moved back
// with the cut: a matching anchor for the shorter log needs a new HMAC, and the key lives only with
// the worker and the operator's config. What it cannot catch on its own is a rollback of both files
// to an earlier copy taken by someone with file access; the records' hashes also reach Temporal in
// the audit activities' histories, which are the place to cross-check such a rollback.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Config } from '../config.ts';

/** The chain's head as the appender last wrote it. */
export interface Anchor {
  seq: number;
  hash: string;
  /** HMAC-SHA256 of seq and hash (hex); absent when no key was configured. */
  mac?: string;
}

/** Where the anchor of the log at `logPath` lives. */
export function anchorPath(logPath: string): string {
  return `${logPath}.head`;
}

/**
 * The audit key, which signs the anchor and every record: AIRLOCK_AUDIT_KEY when set (production:
 * only the writers and the verifying operator hold it), else derived from the payload key, never
 * the payload key itself.
 */
export function anchorKey(
  config: Pick<Config, 'AIRLOCK_PAYLOAD_KEY'> & Partial<Pick<Config, 'AIRLOCK_AUDIT_KEY'>>,
): Buffer | undefined {
  const base = config.AIRLOCK_AUDIT_KEY ?? config.AIRLOCK_PAYLOAD_KEY;
  if (!base) return undefined;
  return createHmac('sha256', Buffer.from(base, 'base64'))
    .update(config.AIRLOCK_AUDIT_KEY ? 'airlock audit key v1' : 'airlock audit anchor v1')
    .digest();
}

function mac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`airlock-audit-head\n${seq}\n${hash}`).digest('hex');
}

/** Read the anchor; undefined when there is none. */
export async function readAnchor(path: string): Promise<Anchor | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const a = JSON.parse(text) as Anchor;
    if (Number.isInteger(a.seq) && typeof a.hash === 'string') return a;
  } catch {
    // fall through: an unreadable anchor is reported as not matching anything
  }
  return { seq: Number.NaN, hash: '' };
}

/** The anchor for `head`, signed with `key` when there is one. */
export function signAnchor(head: { seq: number; hash: string }, key: Buffer | undefined): Anchor {
  return key ? { ...head, mac: mac(key, head.seq, head.hash) } : { ...head };
}

/** Replace the anchor atomically (write a temporary file, rename it over). */
export async function writeAnchor(
  path: string,
  head: { seq: number; hash: string },
  key: Buffer | undefined,
): Promise<void> {
  const anchor = signAnchor(head, key);
  await writeFile(`${path}.tmp`, `${JSON.stringify(anchor)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/**
 * What is wrong between `anchor` and a log whose last record is `log` (undefined: nothing). The
 * log may be ahead of the anchor by records written just before a crash, never behind it.
 * `hashAt(seq)` looks up an earlier record's hash. Without a key the signature is not checked.
 */
export async function checkAnchor(
  anchor: Anchor,
  key: Buffer | undefined,
  log: { seq: number; head: string },
  hashAt: (seq: number) => Promise<string | undefined>,
): Promise<string | undefined> {
  if (!Number.isInteger(anchor.seq)) return 'the anchor is unreadable';
  if (key) {
    const want = Buffer.from(mac(key, anchor.seq, anchor.hash), 'hex');
    const got = Buffer.from(anchor.mac ?? '', 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want))
      return 'the anchor is not signed with this installation’s key (forged or replaced)';
  }
  if (log.seq < anchor.seq) {
    const missing = anchor.seq - log.seq;
    return `the log ends at record ${log.seq} but the anchor says ${anchor.seq}: ${missing} record${missing === 1 ? '' : 's'} missing from the end`;
  }
  const hash = log.seq === anchor.seq ? log.head : await hashAt(anchor.seq);
  if (hash !== anchor.hash)
    return `record ${anchor.seq} is not the one the anchor recorded (rewritten)`;
  return undefined;
}
