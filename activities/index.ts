// All activities, built from injected dependencies. Workflows import this file as types only.
import { createActionActivities, type ActionActivityDeps } from './actions.ts';
import { createProbeActivities } from './probe.ts';
import { createSandboxActivities, type SandboxActivityDeps } from './sandbox.ts';

/** Everything the activities need from the outside world. */
export type ActivityDeps = SandboxActivityDeps & ActionActivityDeps;

/** Build every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSandboxActivities(deps),
    ...createProbeActivities(),
    ...createActionActivities(deps),
  };
}

/** The activity interface workflows proxy. */
export type Activities = ReturnType<typeof createActivities>;
