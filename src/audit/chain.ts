// The audit chain itself, shared by every audit store (the JSON-lines file, the PostgreSQL table):
// the record shapes, how a record is hashed and linked to the one before it, and how a sequence of
// stored records and the signed head anchor are checked. With a key, every record is also signed
// (an HMAC over its hash), so a writer who can read and append to the store but does not hold
// Airlock's key cannot add a correctly chained record that verifies.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
  /** HMAC-SHA256 of `hash` with the installation's audit key (hex); absent when none is set. */
  mac?: string;
}

/** The result of checking the chain. */
export type VerifyResult =
  | { ok: true; count: number; head: string; unsigned?: number }
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

/** A record's signature: HMAC-SHA256 over its hash, apart from the anchor's by its label. */
export function recordMac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(`airlock-audit-record\n${hash}`).digest('hex');
}

/** Whether `record` carries a valid signature made with `key`. */
export function signedBy(record: Pick<AuditRecord, 'hash' | 'mac'>, key: Buffer): boolean {
  const want = Buffer.from(recordMac(key, record.hash), 'hex');
  const got = Buffer.from(typeof record.mac === 'string' ? record.mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The record that follows the chain's head `prev` with `event`, signed when there is a key. */
export function chainRecord(
  event: AuditEvent,
  prev: { seq: number; head: string },
  key?: Buffer,
): AuditRecord {
  const body = { ...event, seq: prev.seq + 1, prevHash: prev.head };
  const hash = recordHash(body);
  return { ...body, hash, ...(key && { mac: recordMac(key, hash) }) };
}

/**
 * Tracks which records Airlock wrote. Records from before a key was configured carry no signature;
 * they may only open the chain (before the first signed record) and lie within the signed anchor,
 * so a record added by anyone else is named, wherever it is. Without a key nothing is checked.
 */
export class Authorship {
  private readonly key: Buffer | undefined;
  private signedSeen: boolean;
  /** How many unsigned records open the chain. */
  unsigned = 0;

  /** `onlySigned`: the records to come follow an anchor, so each must be signed. */
  constructor(key: Buffer | undefined, onlySigned = false) {
    this.key = key;
    this.signedSeen = onlySigned;
  }

  /** Why `record` (the next in the chain) was not written by Airlock, or undefined. */
  problem(record: AuditRecord): string | undefined {
    if (!this.key) return undefined;
    if (record.mac === undefined && !this.signedSeen) {
      this.unsigned = record.seq;
      return undefined;
    }
    this.signedSeen = true;
    if (signedBy(record, this.key)) return undefined;
    return `record ${record.seq} was not written by Airlock (${record.mac === undefined ? 'it carries no signature' : 'its signature does not match this installation’s key'})`;
  }

  /** Why the unsigned opening records are not covered by an anchor at `anchorSeq`, or undefined. */
  beyond(anchorSeq: number): string | undefined {
    return unsignedBeyond(this.key, this.unsigned, anchorSeq);
  }
}

// Unsigned records are older Airlock's only while the signed anchor covers them.
function unsignedBeyond(key: Buffer | undefined, unsigned: number, anchorSeq: number) {
  if (!key || unsigned <= anchorSeq) return undefined;
  return `record ${anchorSeq + 1} was not written by Airlock (it carries no signature and follows the anchor)`;
}

/** Check stored records (JSON text each, in stored order): numbering, links, own hashes, authors. */
export function verifyLines(lines: string[], key?: Buffer): VerifyResult {
  let prev = GENESIS;
  const authors = new Authorship(key);
  for (const [i, line] of lines.entries()) {
    let rec: AuditRecord;
    try {
      rec = JSON.parse(line) as AuditRecord;
    } catch {
      return { ok: false, count: i, seq: i + 1, problem: `line ${i + 1} is not valid JSON` };
    }
    const { hash, mac: _mac, ...body } = rec;
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
    const forged = authors.problem(rec);
    if (forged) return { ok: false, count: i, seq: rec.seq, problem: forged };
    prev = hash;
  }
  return { ok: true, count: lines.length, head: prev, unsigned: authors.unsigned };
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
    if (chain.count === 0) return { ok: true, count: 0, head: chain.head };
    return {
      ok: false,
      count: chain.count,
      seq: chain.count,
      problem: `no anchor (${where}): the log's tail cannot be checked and may have been cut`,
    };
  }
  const problem =
    (await checkAnchor(anchor, key, { seq: chain.count, head: chain.head }, hashAt)) ??
    unsignedBeyond(key, chain.unsigned ?? 0, anchor.seq);
  if (!problem) return { ok: true, count: chain.count, head: chain.head };
  return { ok: false, count: chain.count, seq: Math.min(anchor.seq, chain.count + 1), problem };
}
