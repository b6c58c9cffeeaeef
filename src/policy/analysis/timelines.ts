// Folding audit records into one small timeline per request (workflow id): what was asked, what the
// policy decided, when cards went out, who clicked what when, and how it ended. Only what the
// statistics and the replay need is kept, so a million records fit in memory as ~200k small objects.
import type { AuditRecord } from '../../audit/log.ts';

/** A scalar body field as the `requested` record carries it (`detail.fields`, dotted paths). */
export type FieldValue = string | number | boolean | null;

/** One human click that counted. */
export interface Click {
  /** A stable identity: platform and AAD object id or user id. */
  approver: string;
  name: string;
  choice: 'approve' | 'reject';
  at: number;
}

/** How a request ended, as far as the window shows. */
export type Outcome =
  'allowed' | 'granted' | 'denied' | 'approved' | 'rejected' | 'expired' | 'pending';

/** One request's history, reduced. */
export interface Timeline {
  id: string;
  agent: string;
  capability: string;
  rule: string | null;
  method: string;
  path: string;
  /** Body fields the log recorded (`detail.fields`), or null when it recorded none. */
  fields: Record<string, FieldValue> | null;
  requestedAt: number;
  /** What the policy decided when the request arrived (a grant makes it `allow`). */
  policy: 'allow' | 'deny' | 'approve';
  /** When the cards went out; null when no human was asked. */
  cardsAt: number | null;
  /** Card copies posted or shown (channel, direct messages, "show me" copies). */
  cardCopies: number;
  clicks: Click[];
  /** A grant the deciding approver gave: its kind and end. */
  grant: { kind: string; until: number } | null;
  ended: 'executed' | 'expired' | 'denied' | 'allowed' | 'granted' | null;
}

/** Timelines of the requests whose `requested` record is in the stream, in request order. */
export async function buildTimelines(
  records: AsyncIterable<AuditRecord>,
): Promise<{ timelines: Timeline[]; records: number; orphans: number }> {
  const byId = new Map<string, Timeline>();
  let count = 0;
  let orphans = 0;
  for await (const rec of records) {
    count++;
    const id = rec.workflowId;
    if (!id) continue;
    if (rec.type === 'requested') {
      byId.set(id, start(rec, id));
      continue;
    }
    const t = byId.get(id);
    if (!t) {
      // The request began before the window (or is not a sensitive action): not counted.
      if (rec.type === 'decision' || rec.type === 'cards-posted') orphans++;
      continue;
    }
    apply(t, rec);
  }
  return { timelines: [...byId.values()], records: count, orphans };
}

function start(rec: AuditRecord, id: string): Timeline {
  const d = rec.detail ?? {};
  const decision = d['decision'];
  const fields = d['fields'];
  return {
    id,
    agent: rec.agent ?? '?',
    capability: rec.capability ?? '?',
    rule: rec.policyRule ?? null,
    method: typeof d['method'] === 'string' ? d['method'] : '?',
    path: typeof d['path'] === 'string' ? d['path'] : '?',
    fields: isFields(fields) ? fields : null,
    requestedAt: Date.parse(rec.at),
    policy: decision === 'allow' || decision === 'approve' ? decision : 'deny',
    cardsAt: null,
    cardCopies: 0,
    clicks: [],
    grant: null,
    ended: null,
  };
}

function apply(t: Timeline, rec: AuditRecord): void {
  const d = rec.detail ?? {};
  const at = Date.parse(rec.at);
  switch (rec.type) {
    case 'cards-posted':
      t.cardsAt = at;
      t.cardCopies += Array.isArray(d['cards']) ? d['cards'].length : 0;
      return;
    case 'card-shown':
      t.cardCopies++;
      return;
    case 'decision': {
      const a = rec.approver;
      const choice = d['choice'];
      if (!a || (choice !== 'approve' && choice !== 'reject')) return;
      const who = `${a.platform}:${a.aadObjectId ?? a.userId}`;
      t.clicks.push({ approver: who, name: a.displayName, choice, at });
      return;
    }
    case 'granted': {
      const until = typeof d['until'] === 'string' ? Date.parse(d['until']) : Number.NaN;
      t.grant = { kind: typeof d['kind'] === 'string' ? d['kind'] : '?', until };
      return;
    }
    case 'allowed':
      t.ended = d['grant'] ? 'granted' : 'allowed';
      return;
    case 'denied':
    case 'expired':
      t.ended = rec.type;
      return;
    case 'executed':
    case 'failed':
      // After `allowed` it stays allowed (or granted): what matters is that no human was asked.
      t.ended ??= 'executed';
      return;
    case 'grant-revoked':
      // The grant it came with was revoked: it asks like any other request.
      t.policy = 'approve';
      return;
  }
}

/** How `t` ended: rejected when a rejection counted and nothing ran, approved when it ran. */
export function outcomeOf(t: Timeline): Outcome {
  if (t.ended === 'denied') return 'denied';
  if (t.ended === 'granted') return 'granted';
  if (t.ended === 'allowed') return 'allowed';
  if (t.ended === 'expired') return 'expired';
  if (t.clicks.some((c) => c.choice === 'reject') && t.ended !== 'executed') return 'rejected';
  if (t.ended === 'executed') return t.cardsAt === null ? 'allowed' : 'approved';
  // An exchange step's approval executes nothing: the approving click is where it ends.
  if (t.clicks.length > 0 && t.clicks.every((c) => c.choice === 'approve')) return 'approved';
  return 'pending';
}

/** The click that decided `t` (the last counted one), or undefined while it is undecided. */
export function decidingClick(t: Timeline): Click | undefined {
  const outcome = outcomeOf(t);
  if (outcome !== 'approved' && outcome !== 'rejected') return undefined;
  const want = outcome === 'approved' ? 'approve' : 'reject';
  return t.clicks.findLast((c) => c.choice === want);
}

function isFields(v: unknown): v is Record<string, FieldValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
