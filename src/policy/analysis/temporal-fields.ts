// Filling in body fields the audit log did not record, from Temporal: a sensitive-action run's
// history starts with the request it was given. One history read per request, a few at a time, so
// this is for windows of thousands of requests, not millions; runs past retention stay unfilled.
import { bodyFields } from './fields.ts';
import type { Timeline } from './timelines.ts';

/** Reads the request (its body) a workflow was started with; undefined when it is gone. */
export type StartedBody = (workflowId: string) => Promise<{ body?: unknown } | undefined>;

/** Fill `fields` of the timelines that lack them; returns how many were filled and not found. */
export async function fillFieldsFromTemporal(
  timelines: Timeline[],
  started: StartedBody,
  concurrency = 8,
): Promise<{ filled: number; missing: number }> {
  const todo = timelines.filter((t) => t.fields === null && t.id.startsWith('action:'));
  let filled = 0;
  let missing = 0;
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const t = todo[next++] as Timeline;
      const request = await started(t.id);
      if (request) {
        t.fields = bodyFields(request.body);
        filled++;
      } else missing++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, lane));
  return { filled, missing };
}
