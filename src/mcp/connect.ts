// Opening one connection to one MCP server with the official SDK: the vault entries it names are
// resolved on the host and go into the server's environment (stdio) or request headers (HTTP),
// `${VAR}` arguments are expanded here, and every form of every secret is kept so what the server
// sends back (results, errors, stderr) can be scrubbed. The worker's own environment never
// reaches the server: it gets the SDK's short safe list (PATH, HOME, ...) and what the policy says.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { AirlockError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { argVariable, type McpServer } from '../policy/mcp-schema.ts';
import { redact, secretForms } from '../vault/redact.ts';
import type { CredentialInfo, CredentialStore } from '../vault/types.ts';

/** Where a bare command name is looked for first: Airlock's own node_modules/.bin. */
export const defaultBinDir = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url));

/** Bytes of a stdio server's stderr kept for the log line when it goes away. */
const stderrTail = 4096;

/** An open connection: the SDK client, and how to scrub this server's secrets from text. */
export interface Connection {
  client: Client;
  /** `text` with every form of every secret of the server replaced. */
  scrub: (text: string) => string;
  /** Set once the transport closed (the process exited, the session ended): reconnect. */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** What connecting needs besides the server's definition. */
export interface ConnectDeps {
  vault?: CredentialStore;
  logger: Logger;
  binDir: string;
  /** Time limit of the start and the MCP handshake (ms). */
  timeoutMs: number;
}

/** Start or reach `server` and finish the MCP handshake; throws `mcp_unavailable` when it cannot. */
export async function connect(server: McpServer, deps: ConnectDeps): Promise<Connection> {
  const secrets = await resolveAll(server, deps.vault);
  const forms = [...new Set(secrets.flatMap((s) => scrubbedForms(s.info, s.secret)))];
  forms.sort((a, b) => b.length - a.length);
  const scrub = (text: string) => redact(text, forms);
  const log = deps.logger.child({ mcpServer: server.id });
  const transport = server.command
    ? stdioTransport(server, server.command, secrets, deps.binDir, scrub, log)
    : httpTransport(server.url ?? '', secrets);
  const client = new Client({ name: 'airlock', version: '1' }, { capabilities: {} });
  let closed = false;
  client.onclose = () => {
    closed = true;
  };
  client.onerror = (err) => log.warn({ err: scrub(err.message) }, 'MCP connection error');
  try {
    await client.connect(transport, { timeout: deps.timeoutMs });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new AirlockError(
      'mcp_unavailable',
      `MCP server "${server.id}" could not be started or reached: ${scrub((err as Error).message)}`,
    );
  }
  return {
    client,
    scrub,
    get closed() {
      return closed;
    },
    close: async () => {
      // An HTTP server keeps a session until told it is over (a stdio one ends with its process).
      if (transport instanceof StreamableHTTPClientTransport && !closed)
        await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

interface Resolved {
  /** The env variable or header it goes into. */
  target: string;
  info: CredentialInfo;
  secret: string;
}

async function resolveAll(server: McpServer, vault?: CredentialStore): Promise<Resolved[]> {
  const wanted = [
    ...Object.entries(server.credentials.env),
    ...Object.entries(server.credentials.headers),
  ];
  return Promise.all(
    wanted.map(async ([target, name]) => {
      const found = await vault?.resolve(name);
      if (!found) {
        throw new AirlockError(
          'mcp_unavailable',
          `MCP server "${server.id}" needs credential "${name}", which the vault does not hold`,
        );
      }
      return { target, ...found };
    }),
  );
}

function stdioTransport(
  server: McpServer,
  command: NonNullable<McpServer['command']>,
  secrets: Resolved[],
  binDir: string,
  scrub: (text: string) => string,
  log: Logger,
): Transport {
  const env: Record<string, string> = { ...command.env };
  for (const s of secrets) env[s.target] = s.secret;
  const args = command.args.map((arg) =>
    arg.replace(argVariable, (_, name: string) => env[name] ?? ''),
  );
  const transport = new StdioClientTransport({
    command: resolveCommand(command.command, binDir),
    args,
    env,
    stderr: 'pipe',
  });
  // The server's stderr is its own log: keep its tail (scrubbed) for the line when it goes away.
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-stderrTail);
  });
  // The client chains its own handler after this one when it connects.
  transport.onclose = () => {
    if (tail) log.info({ stderr: scrub(tail) }, `MCP server "${server.id}" stopped`);
  };
  return transport;
}

/**
 * Every form of `secret` to scrub: the vault's, and for a URL carrying a password (a database URL
 * handed to a server) the password's as well, since a server may print the URL's parts apart.
 */
export function scrubbedForms(info: CredentialInfo, secret: string): string[] {
  const forms = secretForms(info, secret);
  const password = URL.parse(secret)?.password ?? '';
  if (password.length >= 4) {
    forms.push(...secretForms(info, password), ...secretForms(info, decodeURIComponent(password)));
  }
  return forms;
}

/** A bare name is looked for in `binDir` first, then on PATH; an absolute path is used as is. */
export function resolveCommand(command: string, binDir: string): string {
  if (command.startsWith('/')) return command;
  const local = join(binDir, command);
  return existsSync(local) ? local : command;
}

function httpTransport(url: string, secrets: Resolved[]): Transport {
  const headers: Record<string, string> = {};
  for (const s of secrets) headers[s.target] = headerValue(s.info, s.secret);
  // Redirects: the SDK's default follows same-origin ones only, so headers never go elsewhere.
  return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
}

/** A bearer entry is sent as "Bearer <secret>", a basic one as "Basic <base64>", others as is. */
function headerValue(info: CredentialInfo, secret: string): string {
  if (info.kind === 'bearer') return `Bearer ${secret}`;
  if (info.kind === 'basic') return `Basic ${Buffer.from(secret, 'utf8').toString('base64')}`;
  return secret;
}
