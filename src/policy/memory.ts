// What an agent's memory scope lets one person's session read of another's, in words, for
// `airlock policy check` (a note per agent, and a warning for the shared `agent` scope).

/** Whose workspace an agent's session mounts: its own, its talker's, or the agent's (everyone's). */
export const memoryScopes = ['session', 'talker', 'agent'] as const;

/** An agent's memory scope as the policy gives it. */
export type MemoryScope = (typeof memoryScopes)[number];

/** One line saying what a session of the agent can read of other sessions under `scope`. */
export function memorySummary(scope: MemoryScope): string {
  switch (scope) {
    case 'session':
      return 'memory: session — each conversation has its own workspace; no session reads another’s';
    case 'talker':
      return 'memory: talker — one person’s conversations share a workspace; nobody reads another person’s';
    case 'agent':
      return 'memory: agent — every conversation shares one workspace: one person’s session (and an A2A client’s) can read what another person’s wrote, their conversations included';
  }
}
