// `POST /v1/actions`: a sensitive call the agent asks for. The gateway validates the shape, adds
// who asked from its own binding (never from the request) and the turn in flight, and hands it to
// the injected `requestAction`, which the session turns into a sensitive-action workflow. The
// answer says what became of it: executed (200, with the result), pending approval (202, with an
// id; the outcome reaches the agent as a later turn), or denied (403, with the reason). A research
// agent is refused outright: it holds no credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { GatewayError, readJson, sendJson } from './edge.ts';
import type { ActionOutcome, ActionRequest, TurnDeps } from './types.ts';

const actionInput = z.strictObject({
  capability: z.string().min(1).max(200),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().startsWith('/').max(2000),
  body: z.unknown().optional(),
  purpose: z.string().trim().min(1).max(2000),
});

/** What the actions endpoint needs. */
export interface ActionsDeps extends TurnDeps {
  requestAction(request: ActionRequest): Promise<ActionOutcome>;
}

/** Handle one action request. */
export async function handleAction(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ActionsDeps,
): Promise<void> {
  // A research agent holds no credentials and no capabilities: nothing to ask for, no approval
  // to start (the policy would deny it too; this refuses before any workflow is involved).
  if (deps.agent.sensitivity === 'research') {
    throw new GatewayError(
      403,
      'actions_not_allowed',
      `Agent ${deps.agent.id} is a research agent: it holds no credentials and cannot ask for actions.`,
    );
  }
  const input = await readJson(req, res, actionInput, deps.limits.maxBodyBytes);
  if (!input) return;
  const turn = deps.currentTurn();
  const log = deps.logger.child({
    agent: deps.agent.id,
    turn,
    capability: input.capability,
    method: input.method,
    path: input.path,
  });
  let outcome: ActionOutcome;
  try {
    outcome = await deps.requestAction({
      ...input,
      agentId: deps.agent.id,
      sessionId: deps.sessionId,
      turn,
    });
  } catch (err) {
    log.error({ err }, 'action request failed');
    throw new GatewayError(
      502,
      'action_failed',
      'The action could not be requested; try again later.',
    );
  }
  log.info({ status: outcome.status }, 'action requested');
  if (outcome.status === 'executed') return sendJson(res, 200, outcome);
  if (outcome.status === 'pending') return sendJson(res, 202, outcome);
  sendJson(res, 403, outcome);
}
