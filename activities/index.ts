// All activities, built from injected dependencies. Workflows import this file as types only.
// Building them fails in production when no decision public keys are configured.
import type { Config } from '../src/config.ts';
import { workerDecisionChecker } from '../src/receipts/policy.ts';
import { createActionActivities, type ActionActivityDeps } from './actions.ts';
import { createProbeActivities } from './probe.ts';
import { createSandboxActivities, type SandboxActivityDeps } from './sandbox.ts';

/** Everything the activities need from the outside world. */
export type ActivityDeps = SandboxActivityDeps &
  Omit<ActionActivityDeps, 'checkDecision'> & {
    config: Pick<Config, 'NODE_ENV' | 'AIRLOCK_DECISION_PUBLIC_KEYS'>;
  };

/** Build every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSandboxActivities(deps),
    ...createProbeActivities(),
    ...createActionActivities({ ...deps, checkDecision: workerDecisionChecker(deps.config) }),
  };
}

/** The activity interface workflows proxy. */
export type Activities = ReturnType<typeof createActivities>;
