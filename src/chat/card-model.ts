// What an approver sees: the card model for one request, built from the request, the pinned
// policy decision and the current view. Body fields whose names look secret are masked (and named
// as masked); the body shows once, as facts when flat or as a size-limited preview; the card
// builder caps every field again.
import { maskedNames, maskSecrets } from '../actions/secret-fields.ts';
import { exchangeView } from './card-exchange.ts';
import { lookupFindings, lookupViews } from './card-lookups.ts';
import { mcpCallView } from './card-mcp.ts';
import type { ApprovalCardModel, AskContext } from './cards.ts';
import { DEFAULT_GRANT_MS } from '../../workflows/sensitive-action/grant-defaults.ts';
import { describeSpan } from '../../workflows/sensitive-action/outcome.ts';
import type { CardView } from '../../workflows/sensitive-action/types.ts';
import type { ActionRequest, PinnedDecision } from '../../workflows/sensitive-action/request.ts';
import type { UnusualFinding } from '../../workflows/sensitive-action/types.ts';

const PREVIEW_MAX = 1000;

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

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * The request's body as card facts when it is a flat object (every field a scalar), else null:
 * a flat body is shown as facts only, any other as a preview only, so the body appears once.
 */
export function keyFields(body: unknown): [string, string][] | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const masked = maskSecrets(body) as Record<string, unknown>;
  const entries = Object.entries(masked);
  if (!entries.every(([, v]) => isScalar(v))) return null;
  return entries.map(([k, v]) => [k, String(v)]);
}

/**
 * What an agent's request says about where it came from, as the card and `airlock approvals show`
 * word it; null for a request with neither a conversation nor a purpose (the CLI's).
 */
export function askContext(request: ActionRequest): AskContext | null {
  const { context, purpose } = request;
  if (!context && !purpose) return null;
  const who = request.requester?.displayName;
  return {
    asked: context ? `${who ? `Asked by ${who}` : 'Asked'} in ${context.conversation}` : null,
    message: context?.message || null,
    purpose: purpose ? `Agent's purpose: ${purpose}` : null,
  };
}

/** The card model for `request` under `decision`, showing `view` and what is unusual about it. */
export function cardModel(
  workflowId: string,
  request: ActionRequest,
  decision: PinnedDecision,
  deadline: string,
  view: CardView,
  findings: UnusualFinding[] = [],
): ApprovalCardModel {
  const host = decision.capability ? new URL(decision.capability.baseUrl).host : request.capability;
  // An MCP call shows each argument with the tool's description of it, never a raw body.
  const mcp = request.exchange ? null : mcpCallView(request, decision);
  const facts = request.exchange ? null : (mcp?.fields ?? keyFields(request.body));
  const preview =
    request.body === undefined || facts || request.exchange
      ? undefined
      : JSON.stringify(maskSecrets(request.body), null, 1);
  const masked = request.exchange ? [] : maskedNames(request.body);
  const context = askContext(request);
  const lookups = lookupViews(request);
  // An exchange step has no method, path or body to show: its text and the sanitizer's report.
  const exchange = request.exchange ? exchangeView(request.exchange) : undefined;
  return {
    workflowId,
    agent: request.agent,
    action:
      (exchange && `${exchange.heading}${exchange.warning ? ` — ${exchange.warning}` : ''}`) ??
      `${mcp?.heading ?? `${request.method.toUpperCase()} ${request.path} on ${request.capability}`}${
        lookupFindings(lookups).length > 0 ? ' — what it looked up asks the agent to act' : ''
      }`,
    method: request.method.toUpperCase(),
    host,
    path: request.path,
    keyFields: facts ?? [],
    ...(findings.length ? { unusual: findings.map((f) => f.text) } : {}),
    ...(preview
      ? {
          bodyPreview: preview.length > PREVIEW_MAX ? `${preview.slice(0, PREVIEW_MAX)}…` : preview,
          ...(preview.length > PREVIEW_MAX ? { bodyCut: true } : {}),
        }
      : {}),
    ...(masked.length ? { masked } : {}),
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
    ...(context ? { context } : {}),
    ...(lookups.length ? { lookups } : {}),
    ...(exchange ? { exchange } : {}),
    ...(mcp ? { mcp: { name: mcp.name, description: mcp.description } } : {}),
  };
}
