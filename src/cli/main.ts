// The `airlock` command line: dispatches `airlock <group> <command> …` to one module per group.
// Groups load lazily, so `airlock policy …` does not load Temporal or the vault.
import type { CliIo } from './io.ts';
import { processIo } from './io.ts';

type Run = (args: string[], io: CliIo) => Promise<number>;

/** Every command group: a one-line summary and a loader for its `run`. Add new groups here. */
const groups: Record<string, { summary: string; load: () => Promise<Run> }> = {
  sanitize: {
    summary: "clean another agent's answer (stdin) into plain text; prints JSON",
    load: async () => (await import('./sanitize.ts')).run,
  },
};

function usage(): string {
  const lines = Object.entries(groups).map(([n, g]) => `  airlock ${n.padEnd(10)} ${g.summary}`);
  return `usage: airlock <command> …\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
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
  return run(rest, io);
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
