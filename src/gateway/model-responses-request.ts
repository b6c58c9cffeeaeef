// What an agent may send the OpenAI Responses API (`POST /v1/responses`): an allow-list like chat
// completions' (model-request.ts), an unknown key or kind a 400 naming it. Function tools only: the
// provider's own (web and file search, remote MCP, code interpreter, computer use) reach beyond the
// box. Nothing is kept at the provider between calls: previous responses, conversations, stored
// prompts and item references are refused, and the gateway sends `store: false`.
import { z } from 'zod';
import { dataImageUrl, jsonSchema, modelField, oneOf, shortText, strict } from './model-fields.ts';

const inputText = strict({ type: z.literal('input_text'), text: z.string() });
const inputImage = strict({
  type: z.literal('input_image'),
  image_url: dataImageUrl,
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
const outputText = strict({
  type: z.literal('output_text'),
  text: z.string(),
  // Returned by the API on each answer and sent back by clients as they got it; read by no one.
  annotations: z.array(z.record(z.string(), z.unknown())).optional(),
  logprobs: z.array(z.record(z.string(), z.unknown())).optional(),
});
const refusal = strict({ type: z.literal('refusal'), refusal: z.string() });

const inputParts = z.array(
  oneOf('type', 'content type', [inputText, inputImage], 'input_text, input_image (data: URLs)'),
);
const outputParts = z.array(
  oneOf('type', 'content type', [outputText, refusal, inputText], 'output_text, refusal'),
);
const status = z.enum(['in_progress', 'completed', 'incomplete']).optional();

// A message without `type` is the API's "easy input message"; with it, an item as the API returned it.
const message = oneOf(
  'role',
  'role',
  [
    strict({
      type: z.literal('message').optional(),
      id: shortText.optional(),
      role: z.literal('user'),
      content: z.union([z.string(), inputParts]),
    }),
    strict({
      type: z.literal('message').optional(),
      id: shortText.optional(),
      role: z.enum(['system', 'developer']),
      content: z.union([z.string(), z.array(inputText)]),
    }),
    strict({
      type: z.literal('message').optional(),
      id: shortText.optional(),
      role: z.literal('assistant'),
      content: z.union([z.string(), outputParts]),
      status,
      phase: z.enum(['commentary', 'final_answer']).optional(),
    }),
  ],
  'user, system, developer, assistant',
);

const functionCall = strict({
  type: z.literal('function_call'),
  id: shortText.optional(),
  call_id: shortText,
  name: shortText,
  arguments: z.string(),
  status,
});
const functionCallOutput = strict({
  type: z.literal('function_call_output'),
  id: shortText.optional(),
  call_id: shortText,
  output: z.union([z.string(), z.array(oneOf('type', 'output type', [inputText], 'input_text'))]),
  status,
});
// A reasoning model's earlier thoughts, handed back so it keeps its train of thought (with store:
// false, as encrypted content the provider alone can read).
const reasoning = strict({
  type: z.literal('reasoning'),
  id: shortText.optional(),
  summary: z.array(strict({ type: z.literal('summary_text'), text: z.string() })),
  encrypted_content: z.string().nullable().optional(),
  status,
});

const item = oneOf(
  'type',
  'input item type',
  [message, functionCall, functionCallOutput, reasoning],
  'message, function_call, function_call_output, reasoning',
);

const tool = oneOf(
  'type',
  'tool type',
  [
    strict({
      type: z.literal('function'),
      name: shortText,
      description: z.string().nullable().optional(),
      parameters: jsonSchema.nullable().optional(),
      strict: z.boolean().nullable().optional(),
    }),
  ],
  'function',
);
const format = oneOf(
  'type',
  'text format',
  [
    strict({ type: z.literal('text') }),
    strict({ type: z.literal('json_object') }),
    strict({
      type: z.literal('json_schema'),
      name: shortText,
      schema: jsonSchema,
      description: z.string().optional(),
      strict: z.boolean().nullable().optional(),
    }),
  ],
  'text, json_object, json_schema',
);

/**
 * The Responses request an agent may send. Left out on purpose: `previous_response_id`,
 * `conversation`, `prompt` (state kept at the provider, which another agent with the same key could
 * name), `store: true`, `background`, `metadata`, `user`, `safety_identifier`, `service_tier`,
 * `prompt_cache_key`, `top_logprobs`, and every tool but functions.
 */
export const responsesRequest = strict({
  model: modelField,
  input: z.union([z.string(), z.array(item).min(1)]),
  instructions: z.string().nullable().optional(),
  tools: z.array(tool).optional(),
  tool_choice: z
    .union([
      z.enum(['auto', 'none', 'required']),
      strict({ type: z.literal('function'), name: shortText }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  text: strict({
    format: format.optional(),
    verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
  }).optional(),
  reasoning: strict({
    effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
    summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
  }).optional(),
  // Everything else `include` names is the output of a provider-side tool, or logprobs.
  include: z
    .array(
      z.string().refine((v) => v === 'reasoning.encrypted_content', {
        message: 'only reasoning.encrypted_content is forwarded to the model',
        params: { refused: true },
      }),
    )
    .optional(),
  store: z
    .boolean()
    .refine((v) => !v, {
      message: 'store: true is not forwarded: the gateway keeps nothing at the provider',
      params: { refused: true },
    })
    .optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: strict({ include_obfuscation: z.boolean().optional() }).optional(),
});

/** A Responses request that passed the allow-list. */
export type ResponsesRequest = z.infer<typeof responsesRequest>;
