// The audit chain itself, shared by every audit store (the JSON-lines file, the PostgreSQL table):
// the record shapes, how a record is hashed and linked to the one before it, and how a sequence of
// stored records and the signed head anchor are checked.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import { checkAnchor, type Anchor } from './anchor.ts';

/** The hash that precedes the first record. */
export const GENESIS = '0'.repeat(64);

/** Something that happened, as the caller describes it. */
export interface AuditEvent {
  /** Idempotency key: appending an event whose id is already in the log changes nothing. */
  id: string;
  type: string;
  /** ISO time of the event. */
  at: string;
  workflowId?: string;
  agent?: string;
  capability?: string;
  approver?: {
    platform: string;
    tenantId?: string;
    userId: string;
    aadObjectId?: string;
    displayName: string;
  };
  requestHash?: string;
  policyRule?: string | null;
  policyHash?: string;
  detail?: Record<string, unknown>;
}

/** A stored record: the event plus its place in the chain. */
export interface AuditRecord extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The result of checking the chain. */
export type VerifyResult =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; seq: number; problem: string };

/** What every audit store offers: idempotent appends, reading in order, checking the chain. */
export interface AuditStore {
  /** Where the records live, for messages (a file path, or a database without credentials). */
  readonly where: string;
  /** Append `event` (or return the stored record when its id is already there). */
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Every record, in order. */
  read(): Promise<AuditRecord[]>;
  /** The records after record `seq`, in order (cheap when called again with the last seq seen). */
  readAfter(seq: number): Promise<AuditRecord[]>;
  /** Check every link of the chain, every record's own hash, and the tail against the anchor. */
  verify(): Promise<VerifyResult>;
}

/** The hash of a record: sha256 over its canonical JSON without the `hash` field. */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** The record that follows the chain's head `prev` with `event`. */
export function chainRecord(event: AuditEvent, prev: { seq: number; head: string }): AuditRecord {
  const body = { ...event, seq: prev.seq + 1, prevHash: prev.head };
  return { ...body, hash: recordHash(body) };
}

/** Check stored records (JSON text each, in stored order): numbering, links and own hashes. */
export function verifyLines(lines: string[]): VerifyResult {
  let prev = GENESIS;
  for (const [i, line] of lines.entries()) {
    let rec: AuditRecord;
    try {
      rec = JSON.parse(line) as AuditRecord;
    } catch {
      return { ok: false, count: i, seq: i + 1, problem: `line ${i + 1} is not valid JSON` };
    }
    const { hash, ...body } = rec;
    if (rec.seq !== i + 1)
      return { ok: false, count: i, seq: i + 1, problem: `line ${i + 1} has seq ${rec.seq}` };
    if (rec.prevHash !== prev)
      return {
        ok: false,
        count: i,
        seq: rec.seq,
        problem: `record ${rec.seq} does not follow record ${i}`,
      };
    if (recordHash(body) !== hash)
      return { ok: false, count: i, seq: rec.seq, problem: `record ${rec.seq} was modified` };
    prev = hash;
  }
  return { ok: true, count: lines.length, head: prev };
}

/**
 * A valid `chain` checked against its head `anchor` (undefined: there is none, which only an empty
 * log may lack). `hashAt(seq)` looks up an earlier record's hash; `where` names the anchor.
 */
export async function verifyTail(
  chain: Extract<VerifyResult, { ok: true }>,
  anchor: Anchor | undefined,
  key: Buffer | undefined,
  hashAt: (seq: number) => Promise<string | undefined>,
  where: string,
): Promise<VerifyResult> {
  if (!anchor) {
    if (chain.count === 0) return chain;
    return {
      ok: false,
      count: chain.count,
      seq: chain.count,
      problem: `no anchor (${where}): the log's tail cannot be checked and may have been cut`,
    };
  }
  const problem = await checkAnchor(anchor, key, { seq: chain.count, head: chain.head }, hashAt);
  if (!problem) return chain;
  return { ok: false, count: chain.count, seq: Math.min(anchor.seq, chain.count + 1), problem };
}
