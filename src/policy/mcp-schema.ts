// The `mcpServers` section of a policy file: the MCP servers Airlock connects to on the host, how
// each is started (a stdio command) or reached (a streamable-HTTP URL), the vault entries it gets
// (environment variables or headers, never the box), the tools it grants (deny by default) and the
// description hashes accepted. An action agent holds a server by listing `mcp:<id>` in capabilities.
import { z } from 'zod';
import { credentialName, duration, id, secretUrl } from './fields.ts';
import { mcpCapabilityPrefix } from '../../workflows/sensitive-action/mcp-call.ts';

/** The prefix an agent's capability (and a request's) names an MCP server with: `mcp:<server>`. */
export const mcpPrefix = mcpCapabilityPrefix;

/** An agent capability: a capability id, or `mcp:<server id>` for an MCP server. */
export const heldCapability = z
  .string()
  .regex(
    /^(?:mcp:)?[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'a capability is an id, or "mcp:<server id>" for an MCP server',
  );

/** The MCP spec's tool names: 1–128 letters, digits, "_", "-" or ".". */
export const mcpToolName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a tool name is 1–128 letters, digits, "_", "-" or "."');

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name is letters, digits, "_"');
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'a header name is an HTTP token');

/** `${VAR}` in a stdio argument: replaced on the host by the variable's value (env or credential). */
export const argVariable = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Longest per-call time limit a server may set. */
const maxTimeoutMs = 60 * 60_000;

const stdioSchema = z.strictObject({
  command: z
    .string()
    .min(1)
    .refine((c) => c.startsWith('/') || !c.includes('/'), {
      message:
        'command is a bare name (looked up in node_modules/.bin, then PATH) or an absolute path',
    })
    .meta({
      description:
        "A bare name (node_modules/.bin of Airlock's install first, then PATH) or an absolute path.",
    }),
  args: z.array(z.string()).default([]).meta({
    description: '"${VAR}" takes the value of an env or credentials.env variable, on the host.',
  }),
  env: z
    .record(envName, z.string())
    .default({})
    .meta({ description: 'Plain (non-secret) variables; secrets go in credentials.env.' }),
});

const credentialsSchema = z.strictObject({
  env: z.record(envName, credentialName).default({}).meta({
    description: 'stdio servers: variable name → vault entry, set in the server process only.',
  }),
  headers: z.record(headerName, credentialName).default({}).meta({
    description:
      'HTTP servers: header name → vault entry (a bearer entry is sent as "Bearer <secret>").',
  }),
});

export type McpServer = z.output<typeof mcpServerSchema>;
/** One MCP server: how to reach it, its credentials, the tools it grants and how far it is trusted. */
export const mcpServerSchema = z
  .strictObject({
    id,
    description: z.string().optional(),
    command: stdioSchema.optional().meta({ description: 'Start the server over stdio.' }),
    url: secretUrl({
      field: 'url',
      example: 'https://mcp.example.com/mcp',
      secret: 'the credentials would cross in clear',
      instead: 'use credentials.headers',
    })
      .optional()
      .meta({
        description: 'A streamable-HTTP server: https, plain http only to loopback.',
      }),
    credentials: credentialsSchema.prefault({}),
    tools: z.array(mcpToolName).default([]).meta({
      description:
        'The granted tools; any other tool of the server is never shown and never called (deny by default).',
    }),
    trusted: z.boolean().default(false).meta({
      description:
        'false (default): tool results pass the sanitizer and are searched for instructions.',
    }),
    pins: z
      .record(
        mcpToolName,
        z.string().regex(/^[0-9a-f]{64}$/, 'a pin is a sha256 in lower-case hex'),
      )
      .default({})
      .meta({
        description:
          'Tool → accepted description hash (airlock mcp list shows it); a tool listing another is held back.',
      }),
    timeout: duration.prefault('30s').meta({ description: 'Per tool call; default 30s.' }),
  })
  .refine((s) => (s.command === undefined) !== (s.url === undefined), {
    message: 'give exactly one of command (stdio) or url (streamable HTTP)',
  })
  .refine((s) => s.url === undefined || Object.keys(s.credentials.env).length === 0, {
    message: 'credentials.env is for stdio servers; an HTTP server takes credentials.headers',
    path: ['credentials', 'env'],
  })
  .refine((s) => s.command === undefined || Object.keys(s.credentials.headers).length === 0, {
    message: 'credentials.headers is for HTTP servers; a stdio server takes credentials.env',
    path: ['credentials', 'headers'],
  })
  .refine((s) => !Object.keys(s.credentials.env).some((k) => k in (s.command?.env ?? {})), {
    message: 'a variable is set both in command.env and credentials.env',
    path: ['credentials', 'env'],
  })
  .superRefine((s, ctx) => {
    const known = new Set([
      ...Object.keys(s.command?.env ?? {}),
      ...Object.keys(s.credentials.env),
    ]);
    s.command?.args.forEach((arg, i) => {
      for (const [, name] of arg.matchAll(argVariable)) {
        if (!known.has(name ?? ''))
          ctx.addIssue({
            code: 'custom',
            path: ['command', 'args', i],
            message: `\${${name}} names no variable of command.env or credentials.env`,
          });
      }
    });
    for (const tool of Object.keys(s.pins)) {
      if (!s.tools.includes(tool))
        ctx.addIssue({
          code: 'custom',
          path: ['pins', tool],
          message: `pins names "${tool}", which is not in tools`,
        });
    }
  })
  .refine((s) => s.timeout >= 1000 && s.timeout <= maxTimeoutMs, {
    message: 'timeout is between 1s and 60m',
    path: ['timeout'],
  });
