// What an approver sees: the card model for one request, built from the request, the pinned
// policy decision and the current view. Body fields whose names look secret are masked, and the
// preview is size-limited; the card builder caps every field again.
import type { ApprovalCardModel } from '../chat/cards.ts';
import { describeSpan } from '../../workflows/sensitive-action/outcome.ts';
import type {
  ActionRequest,
  CardView,
  PinnedDecision,
} from '../../workflows/sensitive-action/types.ts';

const secretName = /pass|secret|token|key|auth|cookie|credential|card.?number|cvv|ssn/i;
const PREVIEW_MAX = 1000;
/** How long a "for a duration" grant lasts when the policy gives no maximum. */
export const DEFAULT_GRANT_MS = 8 * 3_600_000;

/** The grant buttons this request's card offers ("for this session" only when it has one). */
export function grantButtons(
  request: ActionRequest,
  decision: PinnedDecision,
): { kind: 'session' | 'duration'; label: string }[] {
  type GrantButton = { kind: 'session' | 'duration'; label: string };
  return decision.grants.flatMap((g): GrantButton[] => {
    if (g.kind === 'session' && request.sessionId)
      return [{ kind: 'session' as const, label: 'Approve for this session' }];
    if (g.kind === 'duration')
      return [
        {
          kind: 'duration' as const,
          label: `Approve for ${describeSpan(g.maxMs ?? DEFAULT_GRANT_MS)}`,
        },
      ];
    return [];
  });
}

/** Mask values of secret-looking fields, at any depth. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        secretName.test(k) ? '[redacted]' : maskSecrets(v),
      ]),
    );
  }
  return value;
}

/** The request's top-level scalar body fields, as card facts. */
export function keyFields(body: unknown): [string, string][] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  const masked = maskSecrets(body) as Record<string, unknown>;
  return Object.entries(masked)
    .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => [k, String(v)]);
}

/** The card model for `request` under `decision`, showing `view`. */
export function cardModel(
  workflowId: string,
  request: ActionRequest,
  decision: PinnedDecision,
  deadline: string,
  view: CardView,
): ApprovalCardModel {
  const host = decision.capability ? new URL(decision.capability.baseUrl).host : request.capability;
  const preview =
    request.body === undefined ? undefined : JSON.stringify(maskSecrets(request.body), null, 1);
  return {
    workflowId,
    agent: request.agent,
    action: `${request.method.toUpperCase()} ${request.path} on ${request.capability}`,
    method: request.method.toUpperCase(),
    host,
    path: request.path,
    keyFields: keyFields(request.body),
    ...(preview
      ? {
          bodyPreview:
            preview.length > PREVIEW_MAX
              ? `${preview.slice(0, PREVIEW_MAX)}… (${preview.length - PREVIEW_MAX} more characters)`
              : preview,
        }
      : {}),
    rule: decision.rule ?? '(none)',
    ruleReason: decision.reason,
    requestedBy: request.requester?.displayName ?? `agent ${request.agent}`,
    deadline: deadline || '—',
    requestHash: decision.shortHash,
    policyHash: decision.policyHash,
    state: view.state === 'denied' ? 'rejected' : view.state,
    ...(view.outcomeText ? { outcomeText: view.outcomeText } : {}),
    ...(view.notes?.length ? { notes: view.notes } : {}),
    grants: grantButtons(request, decision),
  };
}
