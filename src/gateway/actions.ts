// `POST /v1/actions`: a sensitive call the agent asks for. The gateway validates the shape, adds
// who asked from its own binding (never from the request) and the turn in flight, and hands it to
// the injected `requestAction`, which the session turns into a sensitive-action workflow. The
// answer says what became of it: executed (200, with the result), pending approval (202, with an
// id; the outcome reaches the agent as a later turn), or denied (403, with the reason). A research
// agent is refused outright: it holds no credentials. The MCP endpoint's `request_action`, the
// capability tools and the MCP servers' tools go through `requestActionFor`, as this route does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { GatewayError, readJson, sendJson } from './edge.ts';
import type { ActionInput, ActionOutcome, ActionRequest, TurnDeps } from './types.ts';

/** An action request's body (the route's and the `request_action` tool's arguments). */
export const actionInput = z.strictObject({
  capability: z.string().min(1).max(200).describe('The capability (API) to call.'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  // Anchored at both ends: llama.cpp's JSON-schema grammar refuses a pattern that is not.
  path: z
    .string()
    .regex(/^\/.*$/)
    .max(2000)
    .describe('The path on the service, from "/".'),
  body: z.unknown().optional().describe('The JSON body to send, if any.'),
  purpose: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .describe('Why, in one sentence an approver will read.'),
});

/** What the actions endpoint needs. */
export interface ActionsDeps extends TurnDeps {
  requestAction(request: ActionRequest): Promise<ActionOutcome>;
}

/** Refuse a research agent: it holds no credentials and no capabilities. */
function refuseResearch(deps: ActionsDeps): void {
  // Nothing to ask for, no approval to start (the policy would deny it too; this refuses before
  // any workflow is involved).
  if (deps.agent.sensitivity === 'research') {
    throw new GatewayError(
      403,
      'actions_not_allowed',
      `Agent ${deps.agent.id} is a research agent: it holds no credentials and cannot ask for actions.`,
    );
  }
}

/** Hand one validated action request on, as this agent in the turn in flight. */
export async function requestActionFor(
  input: ActionInput,
  deps: ActionsDeps,
): Promise<ActionOutcome> {
  refuseResearch(deps);
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
  return outcome;
}

/** Handle one action request. */
export async function handleAction(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ActionsDeps,
): Promise<void> {
  refuseResearch(deps);
  const input = await readJson(req, res, actionInput, deps.limits.maxBodyBytes);
  if (!input) return;
  const outcome = await requestActionFor(input, deps);
  if (outcome.status === 'executed') return sendJson(res, 200, outcome);
  if (outcome.status === 'pending') return sendJson(res, 202, outcome);
  sendJson(res, 403, outcome);
}
