// `airlock vault set|list|rm|rotate`: manage stored credentials. The secret is read from an
// environment variable, a file or stdin, never from the command line (shell history, `ps`), and no
// command ever prints it; parse errors name the option at fault but never echo argument values.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, processEnv } from '../config.ts';
import { hasCode } from '../errors.ts';
import { openVault } from '../vault/open.ts';
import { credentialKinds, type CredentialInfo, type CredentialKind } from '../vault/types.ts';
import type { CliIo } from './io.ts';

/** Usage of `airlock vault`. */
export const usage = `usage:
  airlock vault set <name> (--from-env VAR | --from-file F | --from-stdin)
                    --kind bearer|header|basic|query [--header-name X] [--param-name q]
                    --host <glob> [--host …] [--method M …] [--path <glob> …] [--agent <id> …]
  airlock vault list [--json]
  airlock vault rm <name>
  airlock vault rotate      re-encrypt every credential under the active key

Defaults: --method GET, --path '/**', no agents (nobody may use the credential until --agent is
given). The secret is never accepted as an argument.
`;

type Env = Record<string, string | undefined>;

/** Run `airlock vault …`; `env` replaces the process environment (tests). */
export async function run(args: string[], io: CliIo, env: Env = processEnv()): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'set':
        return await set(rest, io, env);
      case 'list':
        return await list(rest, io, env);
      case 'rm':
        return await remove(rest, io, env);
      case 'rotate':
        return await rotate(io, env);
      case undefined:
      case 'help':
      case '--help':
        io.stdout(usage);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`airlock vault: unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (err) {
    const code = hasCode(err, 'config_invalid') || isParseError(err) ? 2 : 1;
    const tag =
      typeof (err as { code?: unknown }).code === 'string'
        ? ` [${(err as { code: string }).code}]`
        : '';
    io.stderr(`airlock vault: ${(err as Error).message}${tag}\n`);
    return code;
  }
}

function isParseError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function stripNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

async function set(args: string[], io: CliIo, env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'from-env': { type: 'string' },
      'from-file': { type: 'string' },
      'from-stdin': { type: 'boolean' },
      kind: { type: 'string' },
      'header-name': { type: 'string' },
      'param-name': { type: 'string' },
      host: { type: 'string', multiple: true },
      method: { type: 'string', multiple: true },
      path: { type: 'string', multiple: true },
      agent: { type: 'string', multiple: true },
    },
  });
  if (positionals.length !== 1) {
    // Deliberately not echoed: an extra argument is most likely a secret typed on the command line.
    io.stderr(
      'airlock vault set: expected exactly one credential name. The secret is never accepted as an ' +
        'argument: use --from-env VAR, --from-file F or --from-stdin.\n',
    );
    return 2;
  }
  const name = positionals[0] as string;
  const sources = [values['from-env'], values['from-file'], values['from-stdin']].filter(
    (v) => v !== undefined,
  );
  if (sources.length !== 1) {
    io.stderr(
      'airlock vault set: give exactly one of --from-env VAR, --from-file F, --from-stdin\n',
    );
    return 2;
  }
  const kind = values.kind as CredentialKind;
  if (!credentialKinds.includes(kind)) {
    io.stderr(`airlock vault set: --kind must be one of ${credentialKinds.join(', ')}\n`);
    return 2;
  }
  const config = loadConfig(env);
  const store = openVault(config);
  let secret: string;
  if (values['from-env'] !== undefined) {
    const v = env[values['from-env']];
    if (!v) {
      io.stderr(
        `airlock vault set: environment variable ${values['from-env']} is not set or empty\n`,
      );
      return 2;
    }
    secret = v;
  } else if (values['from-file'] !== undefined) {
    secret = stripNewline(await readFile(values['from-file'], 'utf8'));
  } else secret = stripNewline(await io.stdin());

  const info = await store.put({
    name,
    kind,
    ...(values['header-name'] !== undefined && { headerName: values['header-name'] }),
    ...(values['param-name'] !== undefined && { paramName: values['param-name'] }),
    scope: {
      hosts: values.host ?? [],
      methods: values.method ?? ['GET'],
      paths: values.path ?? ['/**'],
      agents: values.agent ?? [],
    },
    secret,
  });
  io.stdout(`stored credential "${info.name}" (${describe(info)}, key id ${info.keyId})\n`);
  if (info.scope.agents.length === 0) {
    io.stderr('note: no --agent given, so no agent may use this credential yet\n');
  }
  return 0;
}

function describe(info: CredentialInfo): string {
  const kind =
    info.kind === 'header'
      ? `header ${info.headerName}`
      : info.kind === 'query'
        ? `query ${info.paramName}`
        : info.kind;
  const s = info.scope;
  return `kind ${kind}; hosts ${s.hosts.join(',')}; methods ${s.methods.join(',')}; paths ${s.paths.join(',')}; agents ${s.agents.join(',') || '(none)'}`;
}

async function list(args: string[], io: CliIo, env: Env): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const infos = await openVault(loadConfig(env)).list();
  if (values.json) io.stdout(`${JSON.stringify(infos, null, 2)}\n`);
  else if (infos.length === 0) io.stdout('no credentials\n');
  else for (const i of infos) io.stdout(`${i.name}  ${describe(i)}; updated ${i.updatedAt}\n`);
  return 0;
}

async function remove(args: string[], io: CliIo, env: Env): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) {
    io.stderr('airlock vault rm: expected exactly one credential name\n');
    return 2;
  }
  const name = positionals[0] as string;
  if (await openVault(loadConfig(env)).remove(name)) {
    io.stdout(`removed credential "${name}"\n`);
    return 0;
  }
  io.stderr(`airlock vault rm: no credential named "${name}"\n`);
  return 1;
}

async function rotate(io: CliIo, env: Env): Promise<number> {
  const store = openVault(loadConfig(env));
  const changed = await store.rotate();
  io.stdout(`re-encrypted ${changed} credential(s) under key id ${store.activeKeyId}\n`);
  return 0;
}
