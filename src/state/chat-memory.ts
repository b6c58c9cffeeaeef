// The Chat SDK's state, in memory, with a bound. The SDK keeps a dedupe key per delivered
// activity, per-user caches (serviceUrl, tenant, AAD id), thread locks and queues; the SDK's own
// memory adapter only drops an expired entry when it is read again, so a flood of distinct
// requests (each with a new id) grew the webhook without limit. Here every entry honours its TTL
// (swept periodically) and the whole store holds at most `maxEntries`, least recently used going
// first. Losing an old dedupe key under a flood is safe: decisions are idempotent by decision id.
import { randomUUID } from 'node:crypto';
import type { Lock, QueueEntry, StateAdapter } from 'chat';

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** An in-memory StateAdapter with TTLs that are enforced and a cap on its size. */
export class BoundedMemoryState implements StateAdapter {
  private readonly cache = new Map<string, Entry>();
  private readonly locks = new Map<string, Lock>();
  private readonly queues = new Map<string, QueueEntry[]>();
  private readonly subscriptions = new Set<string>();
  private lastSweep = Date.now();
  /** Most cache entries, locks, queues and subscriptions kept, each. */
  readonly maxEntries: number;
  private readonly sweepEveryMs: number;

  /** Keep at most `maxEntries` of each kind; drop expired ones every `sweepEveryMs`. */
  constructor(maxEntries: number, sweepEveryMs = 10_000) {
    this.maxEntries = maxEntries;
    this.sweepEveryMs = sweepEveryMs;
  }

  /** How many entries the store holds (all kinds together). */
  get size(): number {
    return this.cache.size + this.locks.size + this.queues.size + this.subscriptions.size;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    this.locks.clear();
    this.queues.clear();
    return Promise.resolve();
  }

  subscribe(threadId: string): Promise<void> {
    this.subscriptions.delete(threadId);
    this.subscriptions.add(threadId);
    trim(this.subscriptions, this.maxEntries);
    return Promise.resolve();
  }
  unsubscribe(threadId: string): Promise<void> {
    this.subscriptions.delete(threadId);
    return Promise.resolve();
  }
  isSubscribed(threadId: string): Promise<boolean> {
    return Promise.resolve(this.subscriptions.has(threadId));
  }

  acquireLock(threadId: string, ttlMs: number): Promise<Lock | null> {
    this.sweep(true);
    const held = this.locks.get(threadId);
    if (held && held.expiresAt > Date.now()) return Promise.resolve(null);
    const lock = { threadId, token: randomUUID(), expiresAt: Date.now() + ttlMs };
    this.locks.set(threadId, lock);
    return Promise.resolve(lock);
  }
  forceReleaseLock(threadId: string): Promise<void> {
    this.locks.delete(threadId);
    return Promise.resolve();
  }
  releaseLock(lock: Lock): Promise<void> {
    if (this.locks.get(lock.threadId)?.token === lock.token) this.locks.delete(lock.threadId);
    return Promise.resolve();
  }
  extendLock(lock: Lock, ttlMs: number): Promise<boolean> {
    const held = this.locks.get(lock.threadId);
    if (!held || held.token !== lock.token || held.expiresAt < Date.now()) {
      return Promise.resolve(false);
    }
    held.expiresAt = Date.now() + ttlMs;
    return Promise.resolve(true);
  }

  get<T = unknown>(key: string): Promise<T | null> {
    const entry = this.live(key);
    return Promise.resolve(entry ? (entry.value as T) : null);
  }
  set<T = unknown>(key: string, value: T, ttlMs?: number): Promise<void> {
    this.put(key, value, ttlMs);
    return Promise.resolve();
  }
  setIfNotExists(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    if (this.live(key)) return Promise.resolve(false);
    this.put(key, value, ttlMs);
    return Promise.resolve(true);
  }
  delete(key: string): Promise<void> {
    this.cache.delete(key);
    return Promise.resolve();
  }
  appendToList(
    key: string,
    value: unknown,
    options?: { maxLength?: number; ttlMs?: number },
  ): Promise<void> {
    const current = this.live(key)?.value;
    let list = [...(Array.isArray(current) ? (current as unknown[]) : []), value];
    if (options?.maxLength && list.length > options.maxLength) {
      list = list.slice(list.length - options.maxLength);
    }
    this.put(key, list, options?.ttlMs);
    return Promise.resolve();
  }
  getList<T = unknown>(key: string): Promise<T[]> {
    const value = this.live(key)?.value;
    return Promise.resolve(Array.isArray(value) ? (value as T[]) : []);
  }

  enqueue(threadId: string, entry: QueueEntry, maxSize: number): Promise<number> {
    const queue = this.queues.get(threadId) ?? [];
    this.queues.delete(threadId);
    this.queues.set(threadId, queue);
    queue.push(entry);
    if (queue.length > maxSize) queue.splice(0, queue.length - maxSize);
    trim(this.queues, this.maxEntries);
    return Promise.resolve(queue.length);
  }
  dequeue(threadId: string): Promise<QueueEntry | null> {
    const queue = this.queues.get(threadId);
    const entry = queue?.shift() ?? null;
    if (queue && queue.length === 0) this.queues.delete(threadId);
    return Promise.resolve(entry);
  }
  queueDepth(threadId: string): Promise<number> {
    return Promise.resolve(this.queues.get(threadId)?.length ?? 0);
  }

  /** The entry under `key` unless it expired; a hit becomes the most recently used. */
  private live(key: string): Entry | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    this.cache.delete(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.cache.set(key, entry);
    return entry;
  }

  private put(key: string, value: unknown, ttlMs?: number): void {
    this.cache.delete(key);
    this.cache.set(key, { value, expiresAt: ttlMs ? Date.now() + ttlMs : Infinity });
    this.sweep(false);
    trim(this.cache, this.maxEntries);
  }

  /** Drop expired entries and locks, at most every few seconds unless `locksNow`. */
  private sweep(locksNow: boolean): void {
    const now = Date.now();
    if (locksNow || now - this.lastSweep >= this.sweepEveryMs) {
      for (const [id, lock] of this.locks) if (lock.expiresAt <= now) this.locks.delete(id);
      trim(this.locks, this.maxEntries);
    }
    if (now - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    for (const [id, queue] of this.queues) {
      if (queue.every((e) => e.expiresAt <= now)) this.queues.delete(id);
    }
  }
}

/** Remove the oldest (first inserted) members until at most `max` remain. */
function trim(collection: Map<string, unknown> | Set<string>, max: number): void {
  for (const key of collection.keys()) {
    if (collection.size <= max) return;
    collection.delete(key);
  }
}
