// Per-client limits of the A2A server: a rate limit on requests (token buckets: every request, and
// a tighter one on SendMessage, which starts an exchange and may ask people to approve) and a cap
// on the tasks a client may have open at once. The buckets live in this process (each replica
// limits on its own). Open tasks are counted from Temporal: seeded once per client from visibility
// (`FromAgent = "a2a:<client>"`), then kept here and pruned by asking each task's workflow, so a
// task just started counts at once, before visibility lists it.
import type { Client } from '@temporalio/client';
import { a2aAsker } from '../../workflows/agent-exchange/ids.ts';
import { FromAgent } from '../../workflows/agent-exchange/search.ts';

/** The limits; `defaultA2ALimits` when the server is given none. */
export interface A2ALimits {
  /** Requests of any kind per minute, and the burst allowed above the rate. */
  requestsPerMinute: number;
  requestBurst: number;
  /** SendMessage calls per minute, and their burst. */
  sendsPerMinute: number;
  sendBurst: number;
  /** Tasks (exchanges) a client may have running at once. */
  maxOpenTasks: number;
}

/** Defaults sized for a partner agent polling its tasks, not for bulk traffic. */
export const defaultA2ALimits: A2ALimits = {
  requestsPerMinute: 600,
  requestBurst: 120,
  sendsPerMinute: 30,
  sendBurst: 10,
  maxOpenTasks: 20,
};

/** Token buckets by key: `take` answers 0 when allowed, else the ms until a token is back. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private readonly burst: number;

  constructor(perMinute: number, burst: number) {
    this.perMs = perMinute / 60_000;
    this.burst = Math.max(1, burst);
  }

  take(key: string, now = Date.now()): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perMs);
  }
}

/** The tasks each client has open, and the cap on them. */
export class OpenTasks {
  private readonly open = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly client: Client;
  private readonly max: number;

  constructor(client: Client, max: number) {
    this.client = client;
    this.max = max;
  }

  /**
   * Admit task `workflowId` of `asker` (run `start` for it) unless the client has `max` others
   * open; false when refused. One client's admissions run one at a time, so two concurrent sends
   * cannot both take the last place.
   */
  admit(asker: string, workflowId: string, start: () => Promise<void>): Promise<boolean> {
    const run = (this.locks.get(asker) ?? Promise.resolve()).then(async () => {
      const open = await this.current(asker);
      // A retried send of a task already open (or already started) takes no new place.
      if (!open.has(workflowId) && open.size >= this.max && !(await this.running(workflowId)))
        return false;
      await start();
      open.add(workflowId);
      return true;
    });
    this.locks.set(
      asker,
      run.catch(() => undefined),
    );
    return run;
  }

  private async current(asker: string): Promise<Set<string>> {
    let open = this.open.get(asker);
    if (!open) {
      open = new Set();
      const query = `${FromAgent.name} = '${a2aAsker(asker)}' AND ExecutionStatus = 'Running'`;
      for await (const run of this.client.workflow.list({ query })) open.add(run.workflowId);
      this.open.set(asker, open);
    }
    for (const id of [...open]) if (!(await this.running(id))) open.delete(id);
    return open;
  }

  private async running(workflowId: string): Promise<boolean> {
    try {
      const { status } = await this.client.workflow.getHandle(workflowId).describe();
      return status.name === 'RUNNING';
    } catch (err) {
      if ((err as { name?: string }).name === 'WorkflowNotFoundError') return false;
      throw err;
    }
  }
}
