// Airlock's own metrics, emitted from workflow code through the Temporal SDK's metric meter (the
// worker's Prometheus endpoint, AIRLOCK_METRICS_BIND, serves them beside the SDK's). The SDK does
// not emit during replay, so each event counts once. Labels are ids and states, never text. The
// instruments are made when used: the meter exists only inside a workflow (this module is also
// imported, for types, outside one).
import { metricMeter } from '@temporalio/workflow';

// Counters count events ('1'); histograms record whole milliseconds.
const counter = (name: string, description: string) => () =>
  metricMeter.createCounter(name, '1', description);
const histogram = (name: string, description: string) => () =>
  metricMeter.createHistogram(name, 'int', 'ms', description);

const actions = counter(
  'airlock_actions_finished',
  'Sensitive actions that ended, by outcome, agent and rule',
);
const decisionTime = histogram(
  'airlock_action_duration',
  'Time from a sensitive request to its outcome (ms), by outcome',
);
const timeToDecision = histogram(
  'airlock_time_to_decision',
  'Time from a sensitive request to its decision by a person, or its expiry (ms)',
);
const refused = counter(
  'airlock_refused_clicks',
  'Approval clicks refused, by reason code and agent',
);
const turns = counter('airlock_agent_turns', 'Agent turns run, by agent and whether they finished');
const exchanges = counter(
  'airlock_exchanges_finished',
  'Agent-to-agent exchanges that ended, by state and step',
);

/** Count a sensitive action that ended, and how long it took. */
export function actionFinished(
  outcome: string,
  agent: string,
  rule: string | null,
  tookMs: number,
): void {
  actions().add(1, { outcome, agent, rule: rule ?? 'none' });
  decisionTime().record(Math.max(0, Math.round(tookMs)), { outcome });
}

/** Record how long a request waited for its decision (`approved`, `rejected` or `expired`). */
export function requestDecided(
  decision: string,
  agent: string,
  rule: string | null,
  tookMs: number,
): void {
  timeToDecision().record(Math.max(0, Math.round(tookMs)), {
    decision,
    agent,
    rule: rule ?? 'none',
  });
}

/** Count a refused click; `reason` is a fixed code (tally.ts RefusalCode), never free text. */
export function clickRefused(reason: string, agent: string): void {
  refused().add(1, { reason, agent });
}

/** Count an agent turn. */
export function turnRan(agent: string, finished: boolean): void {
  turns().add(1, { agent, finished: String(finished) });
}

/** Count an exchange that ended. */
export function exchangeFinished(state: string, step: string): void {
  exchanges().add(1, { state, step });
}
