// Group commit for the audit stores: the appends that arrive while one batch is being written wait
// and go together in the next batch, so a burst of appends costs one lock, one write and one anchor
// (one transaction in PostgreSQL) per batch instead of per record. Batches run one at a time, in
// arrival order, which keeps the chain in call order. An append resolves only once its batch is
// stored: a crash loses only appends whose callers were never told they were done (and retry).

interface Waiter<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/** Batches items for `commit`, which stores a batch and answers one result per item, in order. */
export class GroupCommit<T, R> {
  private waiting: Waiter<T, R>[] = [];
  private flushing = false;
  /** How many batches were committed (or failed). */
  batches = 0;

  private readonly commit: (items: T[]) => Promise<R[]>;

  constructor(commit: (items: T[]) => Promise<R[]>) {
    this.commit = commit;
  }

  /** Add `item` to the next batch; resolves with its result once that batch is stored. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  // Commit batches until nobody waits; a failed batch fails each of its items (their callers retry).
  private async flush(): Promise<void> {
    this.flushing = true;
    // Appends made in the same tick as the first (a caller's Promise.all) join its batch.
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      this.batches++;
      try {
        const results = await this.commit(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i] as R));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.flushing = false;
  }
}
