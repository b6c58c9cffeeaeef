// `POST /v1/ask`: the agent asks another agent a question. The gateway validates the shape, adds
// who asks from its own binding (never from the request) and the turn in flight, and hands it to
// the injected `askAgent`, which the session turns into an agent-exchange workflow. The answer is
// only whether the question is on its way (202, with the exchange id: the answer, or why there is
// none, reaches the agent as a later turn) or refused at once (403, with the reason). The MCP
// endpoint's `ask_agent` goes through `askAgentFor`, as this route does.
import { z } from 'zod';
import { GatewayError, jsonEndpoint, sendJson } from './edge.ts';
import type { AskOutcome, AskRequest, TurnDeps } from './types.ts';

/** A question's body (the route's and the `ask_agent` tool's arguments). */
export const askInput = z.strictObject({
  to: z.string().min(1).max(100).describe('The agent to ask.'),
  question: z.string().trim().min(1).max(20_000),
});

/** What the ask endpoint needs. */
export interface AskDeps extends TurnDeps {
  askAgent(request: AskRequest): Promise<AskOutcome>;
}

/** What the agent is told at once: on its way (with what happens next), or refused. */
export type AskAnswer =
  { status: 'pending'; id: string; note: string } | { status: 'refused'; reason: string };

/** Hand one validated question on, as this agent in the turn in flight. */
export async function askAgentFor(
  input: z.infer<typeof askInput>,
  deps: AskDeps,
): Promise<AskAnswer> {
  const turn = deps.currentTurn();
  // The question itself is not logged: it may hold what users said.
  const log = deps.logger.child({ agent: deps.agent.id, turn, to: input.to });
  let outcome: AskOutcome;
  try {
    outcome = await deps.askAgent({
      agentId: deps.agent.id,
      sessionId: deps.sessionId,
      turn,
      to: input.to,
      question: input.question,
    });
  } catch (err) {
    log.error({ err }, 'question not sent');
    throw new GatewayError(502, 'ask_failed', 'The question could not be sent; try again later.');
  }
  log.info({ status: outcome.status }, 'question asked');
  if (outcome.status === 'refused') return { status: 'refused', reason: outcome.reason };
  return {
    status: 'pending',
    id: outcome.id,
    note: `The question to ${input.to} needs approval and the other agent's answer; the answer arrives in a later turn.`,
  };
}

/** Handle one question to another agent. */
export const handleAsk = jsonEndpoint(askInput, async (input, res, deps: AskDeps) => {
  const answer = await askAgentFor(input, deps);
  sendJson(res, answer.status === 'refused' ? 403 : 202, answer);
});
