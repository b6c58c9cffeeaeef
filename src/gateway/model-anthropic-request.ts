// What an agent may send the Anthropic Messages API (`POST /anthropic/v1/messages`): the same kind
// of allow-list as chat completions (model-request.ts), every object strict, an unknown key or
// kind a 400 naming it. Custom (client) tools only: Anthropic's server tools (web search and fetch,
// code execution, remote MCP servers, containers) would reach beyond the box; images only inline;
// no documents, search results or citations (their sources can be URLs the provider fetches).
import { z } from 'zod';
import { jsonSchema, modelField, oneOf, shortText, strict } from './model-fields.ts';

const cacheControl = strict({
  type: z.literal('ephemeral'),
  ttl: z.enum(['5m', '1h']).optional(),
}).nullable();

const text = strict({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl.optional(),
});
const image = strict({
  type: z.literal('image'),
  source: oneOf(
    'type',
    'image source',
    [
      strict({
        type: z.literal('base64'),
        media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
        data: z.string(),
      }),
    ],
    'base64 (an image by URL or file id would be fetched by the provider)',
  ),
  cache_control: cacheControl.optional(),
});
const toolUse = strict({
  type: z.literal('tool_use'),
  id: shortText,
  name: shortText,
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl.optional(),
});
const toolResult = strict({
  type: z.literal('tool_result'),
  tool_use_id: shortText,
  content: z
    .union([z.string(), z.array(oneOf('type', 'tool result part', [text, image], 'text, image'))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl.optional(),
});
// A model's earlier thinking, handed back (signed by the provider) so it keeps its train of thought.
const thinking = strict({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string(),
});
const redactedThinking = strict({ type: z.literal('redacted_thinking'), data: z.string() });

const blocks = z.array(
  oneOf(
    'type',
    'content block type',
    [text, image, toolUse, toolResult, thinking, redactedThinking],
    'text, image (base64), tool_use, tool_result, thinking, redacted_thinking',
  ),
);
const message = strict({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), blocks]),
});

const tool = strict({
  type: z.literal('custom').nullable().optional(),
  name: shortText,
  description: z.string().optional(),
  input_schema: jsonSchema,
  cache_control: cacheControl.optional(),
  strict: z.boolean().optional(),
});
const toolChoice = oneOf(
  'type',
  'tool choice',
  [
    strict({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
    strict({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
    strict({
      type: z.literal('tool'),
      name: shortText,
      disable_parallel_tool_use: z.boolean().optional(),
    }),
    strict({ type: z.literal('none') }),
  ],
  'auto, any, tool, none',
);
const thinkingConfig = oneOf(
  'type',
  'thinking',
  [
    strict({
      type: z.literal('enabled'),
      budget_tokens: z.number().int().positive(),
      display: z.enum(['summarized', 'omitted']).nullable().optional(),
    }),
    strict({ type: z.literal('disabled') }),
    strict({
      type: z.literal('adaptive'),
      display: z.enum(['summarized', 'omitted']).nullable().optional(),
    }),
  ],
  'enabled, disabled, adaptive',
);

/**
 * The Messages request an agent may send. `metadata.user_id` passes (an opaque id the provider
 * uses against abuse; Claude Code sends it on every call). Left out on purpose: `service_tier`, `container`, `mcp_servers`, `inference_geo`, every server tool, and
 * the `anthropic-beta` header (a beta can switch such tools on): the box's headers are not sent.
 */
export const anthropicRequest = strict({
  model: modelField,
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(text)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinkingConfig.optional(),
  output_config: strict({
    effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
    format: strict({ type: z.literal('json_schema'), schema: jsonSchema })
      .nullable()
      .optional(),
  }).optional(),
  cache_control: cacheControl.optional(),
  metadata: strict({ user_id: z.string().max(256).nullable().optional() }).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).max(16).optional(),
  stream: z.boolean().optional(),
});

/** A Messages request that passed the allow-list. */
export type AnthropicRequest = z.infer<typeof anthropicRequest>;
