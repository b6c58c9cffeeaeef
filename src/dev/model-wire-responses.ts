// The stand-in model's answers as OpenAI's Responses API sends them (`POST /v1/responses`): a whole
// `response` object (output items: a `message` with `output_text`, then one `function_call` per
// tool call; usage as input/output tokens), or its stream of typed events (`response.created`,
// `response.output_item.added`, `response.output_text.delta`, `response.function_call_arguments.
// delta`, `….done`, `response.completed` with the usage), and its request read back as chat messages.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  callsOf,
  startEvents,
  textOf,
  type ChatMessage,
  type StandinAnswer,
  type Usage,
} from './model-wire.ts';

const rid = (prefix: string): string => `${prefix}_${randomUUID().replaceAll('-', '')}`;
const status = 'completed';

/** The conversation of a Responses request as chat messages (what script steps match), or a problem. */
export function responsesConversation(body: Record<string, unknown>): ChatMessage[] | string {
  const input = body['input'];
  if (typeof input !== 'string' && (!Array.isArray(input) || input.length === 0))
    return 'input (a string or a non-empty list of items) required.';
  const out: ChatMessage[] = [];
  if (typeof body['instructions'] === 'string')
    out.push({ role: 'system', content: body['instructions'] });
  if (typeof input === 'string') return [...out, { role: 'user', content: input }];
  for (const item of input as Record<string, unknown>[]) {
    const type = item?.['type'] ?? 'message';
    if (type === 'message')
      out.push({ role: String(item['role']), content: textOf(item['content']) });
    if (type === 'function_call')
      out.push({
        role: 'assistant',
        content: null,
        tool_calls: [{ id: item['call_id'], function: { name: item['name'] } }],
      });
    if (type === 'function_call_output')
      out.push({
        role: 'tool',
        tool_call_id: String(item['call_id']),
        content: textOf(item['output']),
      });
  }
  return out;
}

type Item = Record<string, unknown>;

// The answer's output items: the message (when there is text), then the function calls.
function items(step: StandinAnswer): Item[] {
  const out: Item[] = [];
  if (step.text !== undefined)
    out.push({
      id: rid('msg'),
      type: 'message',
      status,
      role: 'assistant',
      content: [{ type: 'output_text', text: step.text, annotations: [], logprobs: [] }],
    });
  for (const c of callsOf(step))
    out.push({
      id: rid('fc'),
      type: 'function_call',
      status,
      arguments: c.args,
      call_id: c.id,
      name: c.name,
    });
  return out;
}

function response(model: string, body: Record<string, unknown>, output: Item[], usage?: Usage) {
  return {
    id: rid('resp'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: usage ? 'completed' : 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: body['instructions'] ?? null,
    max_output_tokens: body['max_output_tokens'] ?? null,
    model,
    output,
    parallel_tool_calls: body['parallel_tool_calls'] ?? true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body['store'] ?? true,
    temperature: body['temperature'] ?? 1,
    text: body['text'] ?? { format: { type: 'text' } },
    tool_choice: body['tool_choice'] ?? 'auto',
    tools: body['tools'] ?? [],
    top_p: body['top_p'] ?? 1,
    truncation: body['truncation'] ?? 'disabled',
    usage: usage
      ? {
          input_tokens: usage.prompt_tokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: usage.completion_tokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: usage.total_tokens,
        }
      : null,
    user: null,
    metadata: {},
  };
}

/** A whole `response` answering with `step`. */
export function responsesJson(
  model: string,
  step: StandinAnswer,
  usage: Usage,
  body: Record<string, unknown>,
): object {
  return response(model, body, items(step), usage);
}

/** Streams `step` as the Responses API's typed events, each `event: <type>` + its data. */
export async function responsesStream(
  res: ServerResponse,
  model: string,
  step: StandinAnswer,
  usage: Usage,
  how: { body: Record<string, unknown>; chunkChars: number },
): Promise<void> {
  const { body, chunkChars: size } = how;
  startEvents(res);
  let seq = 0;
  const send = async (type: string, data: object): Promise<void> => {
    res.write(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...data })}\n\n`,
    );
    seq += 1;
    if (seq === 1 && step.holdAfterFirstChunk) await step.holdAfterFirstChunk;
  };
  const done = items(step);
  const started = response(model, body, []);
  await send('response.created', { response: started });
  await send('response.in_progress', { response: started });
  for (const [output_index, item] of done.entries()) {
    const item_id = item['id'];
    if (item['type'] === 'message') {
      const text = step.text ?? '';
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      await send('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const at = { item_id, output_index, content_index: 0 };
      await send('response.content_part.added', { ...at, part });
      for (let i = 0; i < text.length; i += size)
        await send('response.output_text.delta', {
          ...at,
          delta: text.slice(i, i + size),
          logprobs: [],
        });
      await send('response.output_text.done', { ...at, text, logprobs: [] });
      await send('response.content_part.done', { ...at, part: { ...part, text } });
    } else {
      const args = String(item['arguments']);
      await send('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (let i = 0; i < args.length; i += size)
        await send('response.function_call_arguments.delta', {
          item_id,
          output_index,
          delta: args.slice(i, i + size),
        });
      await send('response.function_call_arguments.done', {
        item_id,
        output_index,
        name: item['name'],
        arguments: args,
      });
    }
    await send('response.output_item.done', { output_index, item });
  }
  await send('response.completed', { response: response(model, body, done, usage) });
  res.end();
}
