// The `airlock` command line: dispatches `airlock <group> <command> …` to one module per group.
// Groups load lazily, so `airlock policy …` does not load Temporal or the vault.
import type { CliIo } from './io.ts';
import { processIo } from './io.ts';

type Env = Record<string, string | undefined>;
type Run = (args: string[], io: CliIo, env?: Env) => Promise<number>;
/** A loaded command group: its entry point and its usage text (what `--help` prints). */
interface Group {
  run: Run;
  usage: string;
}

/** Every command group: a one-line summary and a loader for it. Add new groups here. */
const groups: Record<string, { summary: string; load: () => Promise<Group> }> = {
  actions: {
    summary: 'request a sensitive action',
    load: async () => {
      const m = await import('./actions.ts');
      return { run: m.runActions, usage: m.actionsUsage };
    },
  },
  approvals: {
    summary: 'list and show approval runs',
    load: async () => {
      const m = await import('./actions.ts');
      return { run: m.runApprovals, usage: m.approvalsUsage };
    },
  },
  audit: {
    summary: 'verify and export the hash-chained audit log',
    load: () => import('./audit.ts'),
  },
  vault: {
    summary: 'store, list and remove credentials (encrypted at rest)',
    load: () => import('./vault.ts'),
  },
  receipts: {
    summary: 'verify approval receipts offline with the webhook public key',
    load: () => import('./receipts.ts'),
  },
  grants: {
    summary: 'list and revoke standing approvals',
    load: () => import('./grants.ts'),
  },
  agents: {
    summary: 'list agents, talk to one, read and close its sessions',
    load: () => import('./agents.ts'),
  },
  exchanges: {
    summary: 'list and show questions agents asked each other',
    load: () => import('./exchanges.ts'),
  },
  policy: {
    summary: 'check policy sets, explain decisions (dry run), tune them from the audit log',
    load: () => import('./policy.ts'),
  },
  mcp: {
    summary: 'list MCP servers, their tools (granted, held, hashes) and the rule each falls under',
    load: () => import('./mcp.ts'),
  },
  sanitize: {
    summary: "clean another agent's answer (stdin) into plain text; prints JSON",
    load: async () => {
      const m = await import('./sanitize.ts');
      return { run: m.run, usage: m.USAGE };
    },
  },
};

function usage(): string {
  const lines = Object.entries(groups).map(([n, g]) => `  airlock ${n.padEnd(10)} ${g.summary}`);
  return `usage: airlock <command> …\n\ncommands:\n${lines.join('\n')}\n\nairlock <command> --help shows a command's usage.\n`;
}

// Help is answered here, before any group runs, so every command and subcommand (and every group
// added later) answers `-h`/`--help` the same way: usage on stdout, exit 0, nothing loaded or
// contacted. A `help` word in the command's place asks too; anything after `--` is an argument.
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  const flags = end < 0 ? args : args.slice(0, end);
  return args[0] === 'help' || flags.some((a) => a === '-h' || a === '--help');
}

/** Run the CLI with `argv` (without node and script) and return the exit code; `env` is for tests. */
export async function main(argv: string[], io: CliIo = processIo, env?: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return 0;
  }
  const entry = name ? groups[name] : undefined;
  if (!entry) {
    io.stderr(`${name ? `airlock: unknown command "${name}"\n\n` : ''}${usage()}`);
    return 2;
  }
  const group = await entry.load();
  if (asksForHelp(rest)) {
    io.stdout(group.usage);
    return 0;
  }
  return env === undefined ? group.run(rest, io) : group.run(rest, io, env);
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
