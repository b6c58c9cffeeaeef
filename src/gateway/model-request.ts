// What an agent may send the model endpoint: an allow-list of chat-completions fields and message
// parts, every object strict, so nothing the provider would act on beyond the conversation (web
// search, plugins, predicted outputs, files or images it would fetch by URL, parts it would read
// elsewhere) leaves the box. The parsed object is what is forwarded: an unknown key anywhere is a
// 400 naming it (code `field_not_allowed`), never silently dropped. See docs/gateway.md.
import { z } from 'zod';
import { dataImageUrl, jsonSchema, NOT_ALLOWED, oneOf, strict } from './model-fields.ts';

export { NOT_ALLOWED };

const textPart = strict({ type: z.literal('text'), text: z.string() });
const imagePart = strict({
  type: z.literal('image_url'),
  image_url: strict({
    url: dataImageUrl,
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});
const textParts = z.array(oneOf('type', 'part type', [textPart], 'text'));
const text = z.union([z.string(), textParts]);
const userContent = z.union([
  z.string(),
  z.array(oneOf('type', 'part type', [textPart, imagePart], 'text, image_url (data: URLs)')),
]);
const name = z.string().max(256).optional();

const toolCall = strict({
  id: z.string().max(256),
  type: z.literal('function'),
  function: strict({ name: z.string().max(256), arguments: z.string() }),
});

const message = oneOf(
  'role',
  'role',
  [
    strict({ role: z.literal('system'), content: text, name }),
    strict({ role: z.literal('developer'), content: text, name }),
    strict({ role: z.literal('user'), content: userContent, name }),
    strict({
      role: z.literal('assistant'),
      content: text.nullable().optional(),
      name,
      tool_calls: z.array(toolCall).optional(),
      reasoning_content: z.string().optional(),
      refusal: z.string().nullable().optional(),
    }),
    strict({ role: z.literal('tool'), tool_call_id: z.string().max(256), content: text }),
  ],
  'system, developer, user, assistant, tool',
);

// A function's definition and a structured response's format say the same: a name, what it is
// for, its JSON Schema (under `key`) and whether the model must follow it strictly.
function namedSchema<K extends 'parameters' | 'schema'>(key: K) {
  return strict({
    name: z.string().max(256),
    description: z.string().optional(),
    ...({ [key]: jsonSchema.optional() } as Record<K, z.ZodOptional<typeof jsonSchema>>),
    strict: z.boolean().nullable().optional(),
  });
}
const tool = oneOf(
  'type',
  'tool type',
  [strict({ type: z.literal('function'), function: namedSchema('parameters') })],
  'function',
);
const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  strict({ type: z.literal('function'), function: strict({ name: z.string().max(256) }) }),
]);
const responseFormat = oneOf(
  'type',
  'response format',
  [
    strict({ type: z.literal('text') }),
    strict({ type: z.literal('json_object') }),
    strict({ type: z.literal('json_schema'), json_schema: namedSchema('schema') }),
  ],
  'text, json_object, json_schema',
);

/**
 * The chat-completions request an agent may send. Left out on purpose: `n` (one answer is what a
 * runner reads; more multiply the spend), `user`, `metadata` and `store` (the gateway speaks for
 * the agent to the provider), `logit_bias` and `logprobs` (unused), and everything that reaches
 * beyond the conversation: `web_search_options`, `plugins`, `prediction`, `audio`, `modalities`,
 * provider-side tools, file, audio and video parts, images by URL.
 */
export const completionRequest = strict({
  model: z.string().min(1).max(200),
  messages: z.array(message).min(1),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  seed: z.number().int().optional(),
  response_format: responseFormat.optional(),
  reasoning_effort: z
    .enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])
    .nullable()
    .optional(),
  verbosity: z.enum(['low', 'medium', 'high']).optional(),
  stream: z.boolean().optional(),
  stream_options: strict({ include_usage: z.boolean().optional() }).optional(),
});

/** A request that passed the allow-list. */
export type CompletionRequest = z.infer<typeof completionRequest>;
