// Each agent's recent requests per policy rule, read from the audit log's `requested` events and
// kept in memory by the worker: the first lookup reads the log once, later ones read only what was
// appended since (by this worker or any other), so a lookup stays cheap as the log grows. Bounded
// per agent and rule by age and count, so memory stays small too.
import type { AuditRecord, AuditStore } from './chain.ts';

/** How far back the comparison looks. */
export const HISTORY_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
/** Earlier requests kept per agent and rule (the newest). */
export const HISTORY_PER_KEY = 500;

/** One earlier request, as its `requested` audit event recorded it. */
export interface RequestSample {
  workflowId: string;
  /** Epoch milliseconds. */
  at: number;
  method: string;
  path: string;
  /** Comparable body fields (see src/actions/unusual/fields.ts); empty in older records. */
  fields: Record<string, number | string | boolean | null>;
}

/** The index over one audit store. */
export class RequestHistory {
  private seq = 0;
  private readonly byKey = new Map<string, RequestSample[]>();
  private reading: Promise<void> = Promise.resolve();
  private readonly store: AuditStore;
  private readonly limits: { windowMs: number; perKey: number };

  constructor(
    store: AuditStore,
    limits = { windowMs: HISTORY_WINDOW_MS, perKey: HISTORY_PER_KEY },
  ) {
    this.store = store;
    this.limits = limits;
  }

  /** `agent`'s requests under `rule` within the window before `now` (epoch ms), oldest first. */
  async of(agent: string, rule: string, now: number): Promise<RequestSample[]> {
    await this.catchUp();
    const since = now - this.limits.windowMs;
    return (this.byKey.get(key(agent, rule)) ?? [])
      .slice(-this.limits.perKey)
      .filter((s) => s.at >= since && s.at <= now);
  }

  /** How many records the index has read (the last seq seen). */
  get position(): number {
    return this.seq;
  }

  // One read at a time; a caller waits for the read in progress, then reads what came after it.
  private catchUp(): Promise<void> {
    const next = this.reading.then(async () => {
      for (const r of await this.store.readAfter(this.seq)) {
        this.seq = r.seq;
        this.add(r);
      }
    });
    this.reading = next.catch(() => undefined);
    return next;
  }

  private add(r: AuditRecord): void {
    if (r.type !== 'requested' || !r.agent || !r.workflowId) return;
    const d = r.detail ?? {};
    const at = Date.parse(r.at);
    if (Number.isNaN(at)) return;
    const k = key(r.agent, r.policyRule ?? '(none)');
    const list = this.byKey.get(k) ?? [];
    list.push({
      workflowId: r.workflowId,
      at,
      method: typeof d['method'] === 'string' ? d['method'] : '',
      path: typeof d['path'] === 'string' ? d['path'] : '',
      fields: isFields(d['fields']) ? d['fields'] : {},
    });
    // Trimmed in batches, so a long catch-up does not shift the array on every record.
    if (list.length >= this.limits.perKey * 2) list.splice(0, list.length - this.limits.perKey);
    this.byKey.set(k, list);
  }
}

const key = (agent: string, rule: string) => `${agent}\u0000${rule}`;

function isFields(v: unknown): v is Record<string, number | string | boolean | null> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => x === null || ['number', 'string', 'boolean'].includes(typeof x))
  );
}
