// The policy decision of one request, shared by the sensitive-action workflow's decidePolicy and
// the session's fast path for MCP calls (src/agents/mcp-fast.ts): the policy's rules (`evaluate`),
// then, for an MCP call they let through, the tool as its server lists it now (mcp-check.ts), and
// the fields pinned beside the decision. Grants are not looked up here: only decidePolicy does.
import { grantIds, keyFieldValues } from '../grants/grants.ts';
import type { McpHub } from '../mcp/types.ts';
import { policyFields } from '../policy/analysis/fields.ts';
import { evaluate } from '../policy/evaluate.ts';
import type { LoadedPolicy } from '../policy/types.ts';
import { policyUserOf } from '../policy/users.ts';
import { mcpCallOf } from '../../workflows/sensitive-action/mcp-call.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';
import { checkMcpCall, withMcpCheck } from './mcp-check.ts';
import { requestHash } from './request-hash.ts';
import { historyFields } from './unusual/fields.ts';

/**
 * `request` decided by `policy` now, with an MCP call checked against its tool (`signal` bounds a
 * server slow to list), pinned with its hash, grant ids and fields; `grant` is always null.
 */
export async function decideRequest(
  policy: LoadedPolicy,
  request: ActionRequest,
  hub: McpHub | undefined,
  signal?: AbortSignal,
): Promise<PinnedDecision> {
  const call = mcpCallOf(request);
  const evaluated = evaluate(policy, request, new Date());
  const decision =
    call && evaluated.decision !== 'deny'
      ? withMcpCheck(evaluated, await checkMcpCall(hub, call, request.body, signal))
      : evaluated;
  const hash = requestHash(request);
  return {
    ...decision,
    requestHash: hash,
    shortHash: hash.slice(0, 12),
    grantIds: grantIds(request, decision.rule ?? '', decision.grantKeyFields),
    grantFields: keyFieldValues(request.body, decision.grantKeyFields),
    grant: null,
    requesterUserId: policyUserOf(policy.set.users, request.requester),
    // Comparable digests for the card's history comparison, and the fields the policy decides
    // on in clear, so a later `airlock policy suggest` can replay this request.
    historyFields: { ...historyFields(request.body), ...policyFields(policy, request.body) },
  };
}
