// The history comparison activity: the request's agent's earlier requests under the same rule, from
// the audit log the worker already writes (indexed in memory, read on incrementally), compared with
// this request. The run's own `requested` event is already in the log and is left out.
import { compareRequest } from '../src/actions/unusual/compare.ts';
import type { AuditStore } from '../src/audit/chain.ts';
import { RequestHistory } from '../src/audit/request-history.ts';
import type { UnusualActivities } from '../workflows/sensitive-action/types.ts';

/** Dependencies of the comparison activity. */
export interface UnusualActivityDeps {
  audit: AuditStore;
}

/** Build the comparison activity (one index per worker). */
export function createUnusualActivities(deps: UnusualActivityDeps): UnusualActivities {
  const history = new RequestHistory(deps.audit);
  return {
    async compareWithHistory({ workflowId, rule, request, at }) {
      const now = Date.parse(at);
      const earlier = (await history.of(request.agent, rule, now)).filter(
        (s) => s.workflowId !== workflowId,
      );
      return compareRequest(request, rule, earlier, now);
    },
  };
}
