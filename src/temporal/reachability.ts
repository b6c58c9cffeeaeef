// Telling "Temporal could not be reached" from "Temporal said no": the webhook keeps clicks and
// answers people differently in the first case. One definition for every caller; and the probe
// readiness endpoints ask with.
import type { Client } from '@temporalio/client';

/** gRPC status codes meaning "could not talk to the server", not "the server said no". */
const unreachableCodes = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** True when `err` (or an error it wraps) says Temporal could not be reached at all. */
export function isTemporalUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'number' && unreachableCodes.has(code)) return true;
    e = cause;
  }
  return false;
}

/** Whether Temporal answers a cheap call (GetSystemInfo) within `ms`: for readiness endpoints. */
export async function probeTemporal(
  client: Client,
  ms = 2_000,
): Promise<'reachable' | 'unreachable'> {
  try {
    await client.connection.withDeadline(Date.now() + ms, () =>
      client.connection.workflowService.getSystemInfo({}),
    );
    return 'reachable';
  } catch {
    return 'unreachable';
  }
}
