// All activities, built from injected dependencies. Workflows import this file as types only.
// Building them fails in production when no decision public keys are configured.
import type { Config } from '../src/config.ts';
import { workerDecisionChecker } from '../src/receipts/policy.ts';
import { createA2AOutboundActivities } from './a2a-outbound.ts';
import { createActionActivities, type ActionActivityDeps } from './actions.ts';
import { createAgentExchangeActivities } from './agent-exchange.ts';
import { createAgentSessionActivities, type AgentSessionDeps } from './agent-session.ts';
import { createAgentTextActivities } from './agent-text.ts';
import { createExchangeDeliveryActivities } from './exchange-delivery.ts';
import { createProbeActivities } from './probe.ts';
import { createSandboxActivities, type SandboxActivityDeps } from './sandbox.ts';
import { createUnusualActivities } from './unusual.ts';

/** Everything the activities need from the outside world. */
export type ActivityDeps = SandboxActivityDeps &
  Omit<ActionActivityDeps, 'checkDecision'> &
  Omit<AgentSessionDeps, 'config' | 'docker' | 'policy'> & {
    config: Pick<
      Config,
      'NODE_ENV' | 'AIRLOCK_DECISION_PUBLIC_KEYS' | 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_ADDRESS'
    >;
  };

/** Build every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSandboxActivities(deps),
    ...createProbeActivities(),
    ...createActionActivities({ ...deps, checkDecision: workerDecisionChecker(deps.config) }),
    ...createUnusualActivities(deps),
    ...createAgentSessionActivities({ ...deps, docker: deps.driver.docker }),
    ...createAgentExchangeActivities(deps),
    ...createExchangeDeliveryActivities(deps),
    ...createA2AOutboundActivities(deps),
    ...createAgentTextActivities(),
  };
}

/** The activity interface workflows proxy. */
export type Activities = ReturnType<typeof createActivities>;
