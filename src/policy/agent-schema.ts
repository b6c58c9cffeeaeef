// The `agents` section of a policy file: who an agent is, which model it talks to (and through
// which vault credential), what it may reach (capabilities for `action` agents, web hosts for
// `research` agents), its sandbox limits and who may talk to it. Checks that need the rest of the
// set (capabilities, users, groups exist; sensitivity rules) live in check.ts.
import { z } from 'zod';
import { credentialName, duration, id, secretUrl, target } from './fields.ts';
import { heldCapability } from './mcp-schema.ts';
import { memoryScopes } from './memory.ts';

/** Sandbox defaults: what an agent gets when its policy does not say. */
export const agentDefaults = {
  memoryMb: 512,
  cpus: 1,
  pids: 256,
  idleTimeout: '15m',
  tokenBudget: 200_000,
  memory: 'session',
  maxSessionsPerTalker: 5,
  maxSteps: 20,
} as const;

/** The model wire protocols the gateway proxies (model-apis.ts): the route the box's client calls. */
export const modelApiNames = ['chat-completions', 'responses', 'anthropic-messages'] as const;
/** One of `modelApiNames`. */
export type ModelApiName = (typeof modelApiNames)[number];

const modelId = z.string().regex(/^[^\s]{1,200}$/, 'a model id is 1–200 characters without spaces');

/** A model server (the APIs it takes, by default chat completions) and the model the agent uses there. */
const modelSchema = z
  .strictObject({
    endpoint: secretUrl({
      field: 'endpoint',
      example: 'https://api.openai.com/v1',
      secret: 'the API key would cross the network in clear',
      instead: 'use apiKeyCredential',
      noQuery: true,
    }).meta({
      description:
        'Base URL of the API, ending in /v1, e.g. https://api.openai.com/v1 or https://api.anthropic.com/v1.',
    }),
    apis: z.array(z.enum(modelApiNames)).min(1).optional().meta({
      description:
        'The wire protocols the endpoint takes, so the gateway serves their routes to the box: chat-completions (POST /v1/chat/completions), responses (POST /v1/responses), anthropic-messages (POST /anthropic/v1/messages). Default: chat-completions.',
    }),
    model: modelId.meta({
      description: 'The model id sent upstream unless the agent asks for another allowed one.',
    }),
    allowedModels: z.array(modelId).min(1).optional().meta({
      description: 'Models the agent may ask for; must include `model`. Default: only `model`.',
    }),
    apiKeyCredential: credentialName.meta({
      description:
        'Vault entry holding the API key; the gateway injects it, the agent never sees it.',
    }),
    tokenBudget: z
      .int()
      .min(1)
      .max(1_000_000_000)
      .default(agentDefaults.tokenBudget)
      .meta({ description: 'Tokens (prompt + completion) one session may use in total.' }),
    maxSteps: z.int().min(1).max(200).default(agentDefaults.maxSteps).meta({
      description:
        'Model calls one turn may make; the tool loop stops there (keeps a small model from looping).',
    }),
    firstStepToolChoice: z.enum(['auto', 'required']).default('auto').meta({
      description:
        'required: the first model call of each turn must call a tool (for small models that answer in prose instead).',
    }),
  })
  .refine((m) => m.allowedModels === undefined || m.allowedModels.includes(m.model), {
    message: 'allowedModels must include model',
    path: ['allowedModels'],
  });

// A Docker image reference as `docker image inspect` takes it: lower-case name components, a tag or
// a sha256 digest. Boxes never pull, so a registry host in the name is refused: it would only ever
// match an image someone pulled by hand, which the operator did not review.
const imageRef =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$/;
const sandboxImage = z
  .string()
  .max(255)
  .superRefine((ref, ctx) => {
    const wrong = (why: string) =>
      ctx.addIssue({
        code: 'custom',
        message: `${why}; name a local image tag, e.g. "airlock-harness-openai-agents:latest" (built FROM the base image, docs/harnesses.md)`,
      });
    if (!imageRef.test(ref)) return wrong(`"${ref}" is not a Docker image reference`);
    const first = ref.split('/')[0] ?? '';
    if (ref.includes('/') && (first.includes('.') || first === 'localhost'))
      wrong(`"${ref}" names a registry host (${first}); boxes never pull images`);
  });

const webHost = z
  .string()
  .regex(
    /^[A-Za-z0-9*?.-]+(?::[0-9*?]+)?$/,
    'a web host is a host or host:port glob, e.g. "docs.example.com", "*.example.com", "127.0.0.1:*"',
  );

/** Users and groups; unlike approvers, empty is allowed (nobody). */
const peopleSelector = z.strictObject({
  users: z.array(id).default([]),
  groups: z.array(id).default([]),
});

/** An agent: identity, model, reach, sandbox and who may talk to it. */
export const agentSchema = z.strictObject({
  id,
  displayName: z.string().min(1).optional().meta({ description: 'Shown in chat; defaults to id.' }),
  description: z.string().optional(),
  instructions: z.string().optional().meta({
    description: 'The system instructions, inline (use a YAML block: `instructions: |`).',
  }),
  sensitivity: z.enum(['research', 'action']).meta({
    description:
      'research: may fetch allow-listed web hosts, holds no credentials; action: holds capabilities, no web.',
  }),
  model: modelSchema
    .optional()
    .meta({ description: 'Without a model the agent can be named in rules but cannot run.' }),
  sandbox: z
    .strictObject({
      memoryMb: z.int().min(16).max(65536).default(agentDefaults.memoryMb),
      cpus: z.number().positive().max(64).default(agentDefaults.cpus),
      pids: z.int().min(8).max(32768).default(agentDefaults.pids),
      idleTimeout: duration
        .prefault(agentDefaults.idleTimeout)
        .meta({ description: 'Stop the sandbox after this long without work (default 15m).' }),
      image: sandboxImage.optional().meta({
        description:
          'The image the agent runs in: another harness built FROM the base image, carrying the runner contract (label airlock.runner-contract=1); a local tag, never pulled. Default: the base image with Airlock’s runner.',
      }),
    })
    .prefault({}),
  capabilities: z.array(heldCapability).default([]).meta({
    description:
      'Action agents only: capability ids, and "mcp:<server id>" for each MCP server it may call.',
  }),
  tools: z.array(z.string().min(1)).optional().meta({
    description:
      'The tools the agent is offered (built-in ones and its capabilities’ tools); default: all it may use.',
  }),
  credentials: z.array(credentialName).default([]),
  web: z
    .strictObject({
      allowHosts: z.array(webHost).default([]).meta({
        description:
          'Host globs; loopback, private, link-local and metadata addresses only through an entry naming the exact host:port.',
      }),
      sanitizer: z.enum(['lenient', 'standard', 'strict']).default('strict').meta({
        description:
          'The sanitizer level fetched pages pass before the agent reads them (default strict).',
      }),
    })
    .optional()
    .meta({ description: 'Research agents only: hosts reachable through the gateway.' }),
  memory: z.enum(memoryScopes).default(agentDefaults.memory).meta({
    description:
      'What an agent remembers across sessions (its /workspace): session (default): each conversation its own; talker: shared by one person’s conversations with the agent; agent: shared by everyone’s (one person’s session can read another’s).',
  }),
  maxSessionsPerTalker: z.int().min(1).max(1000).default(agentDefaults.maxSessionsPerTalker).meta({
    description:
      'Conversations with the agent one person may have open (not idle) at once; a new one past it is refused with a message (default 5).',
  }),
  talkers: peopleSelector
    .prefault({})
    .meta({ description: 'Who may talk to the agent; nobody when empty.' }),
  mayAsk: z.array(target).default([]).meta({
    description:
      'Agents this one may ask (compartments); "a2a:<name>" is an external A2A agent a link gives a card.',
  }),
});
