// The `airlock` command line: dispatches `airlock <group> <command> …` to one module per group.
// Groups load lazily, so `airlock policy …` does not load Temporal or the vault.
import type { CliIo } from './io.ts';
import { processIo } from './io.ts';

type Env = Record<string, string | undefined>;
type Run = (args: string[], io: CliIo, env?: Env) => Promise<number>;

/** Every command group: a one-line summary and a loader for its `run`. Add new groups here. */
const groups: Record<string, { summary: string; load: () => Promise<Run> }> = {
  actions: {
    summary: 'request a sensitive action',
    load: async () => (await import('./actions.ts')).runActions,
  },
  approvals: {
    summary: 'list and show approval runs',
    load: async () => (await import('./actions.ts')).runApprovals,
  },
  audit: {
    summary: 'verify and export the hash-chained audit log',
    load: async () => (await import('./audit.ts')).run,
  },
  vault: {
    summary: 'store, list and remove credentials (encrypted at rest)',
    load: async () => (await import('./vault.ts')).run,
  },
  receipts: {
    summary: 'verify approval receipts offline with the webhook public key',
    load: async () => (await import('./receipts.ts')).run,
  },
  grants: {
    summary: 'list and revoke standing approvals',
    load: async () => (await import('./grants.ts')).run,
  },
  policy: {
    summary: 'check policy sets and explain decisions (dry run)',
    load: async () => (await import('./policy.ts')).run,
  },
  sanitize: {
    summary: "clean another agent's answer (stdin) into plain text; prints JSON",
    load: async () => (await import('./sanitize.ts')).run,
  },
};

function usage(): string {
  const lines = Object.entries(groups).map(([n, g]) => `  airlock ${n.padEnd(10)} ${g.summary}`);
  return `usage: airlock <command> …\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Run the CLI with `argv` (without node and script) and return the exit code; `env` is for tests. */
export async function main(argv: string[], io: CliIo = processIo, env?: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help') {
    io.stdout(usage());
    return 0;
  }
  const group = name ? groups[name] : undefined;
  if (!group) {
    io.stderr(`${name ? `airlock: unknown command "${name}"\n\n` : ''}${usage()}`);
    return 2;
  }
  const run = await group.load();
  return env === undefined ? run(rest, io) : run(rest, io, env);
}

if (import.meta.main || process.argv[1]?.endsWith('airlock.js')) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`airlock: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
