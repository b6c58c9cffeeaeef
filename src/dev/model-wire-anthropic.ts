// The stand-in model's answers as Anthropic's Messages API sends them (`POST /v1/messages`): a
// whole `message` (a `text` block, then one `tool_use` block per tool call; `stop_reason`, usage as
// input/output tokens), or its event stream (`message_start`, `content_block_start`, `ping`,
// `content_block_delta` with `text_delta` or `input_json_delta`, `content_block_stop`,
// `message_delta` with the stop reason and output tokens, `message_stop`), and its request as chat messages.
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

type Block = {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  tool_use_id?: unknown;
  content?: unknown;
};

/** The conversation of a Messages request as chat messages (what script steps match), or a problem. */
export function anthropicConversation(body: Record<string, unknown>): ChatMessage[] | string {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0)
    return 'messages: a non-empty list required.';
  if (typeof body['max_tokens'] !== 'number') return 'max_tokens: Field required';
  const out: ChatMessage[] = [];
  if (body['system'] !== undefined) out.push({ role: 'system', content: textOf(body['system']) });
  for (const m of messages as { role?: unknown; content?: unknown }[]) {
    const role = String(m?.role);
    if (!Array.isArray(m?.content)) {
      out.push({ role, content: textOf(m?.content) });
      continue;
    }
    const blocks = m.content as Block[];
    // Tool results open a user turn: each one a tool message, as chat completions has them.
    for (const b of blocks)
      if (b?.type === 'tool_result')
        out.push({ role: 'tool', tool_call_id: String(b.tool_use_id), content: textOf(b.content) });
    const text = textOf(blocks.filter((b) => b?.type === 'text'));
    const uses = blocks.filter((b) => b?.type === 'tool_use');
    if (uses.length > 0)
      out.push({
        role,
        content: text || null,
        tool_calls: uses.map((u) => ({ id: u.id, function: { name: u.name } })),
      });
    else if (text || !blocks.some((b) => b?.type === 'tool_result'))
      out.push({ role, content: text });
  }
  return out;
}

function blocksOf(step: StandinAnswer): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (step.text !== undefined) out.push({ type: 'text', text: step.text });
  for (const c of callsOf(step))
    out.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.args) as unknown });
  return out;
}

function message(
  model: string,
  content: object[],
  stop: string | null,
  usage: Usage,
  output: number,
) {
  return {
    id: `msg_${randomUUID().replaceAll('-', '')}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: usage.prompt_tokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: output,
    },
  };
}

const stopReason = (step: StandinAnswer): string =>
  callsOf(step).length > 0 ? 'tool_use' : 'end_turn';

/** A whole `message` answering with `step`. */
export function anthropicJson(model: string, step: StandinAnswer, usage: Usage): object {
  return message(model, blocksOf(step), stopReason(step), usage, usage.completion_tokens);
}

/** Streams `step` as the Messages API's events, each `event: <type>` + its data. */
export async function anthropicStream(
  res: ServerResponse,
  model: string,
  step: StandinAnswer,
  usage: Usage,
  how: { chunkChars: number },
): Promise<void> {
  const size = how.chunkChars;
  startEvents(res);
  let sent = 0;
  const send = async (type: string, data: object): Promise<void> => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    sent += 1;
    if (sent === 1 && step.holdAfterFirstChunk) await step.holdAfterFirstChunk;
  };
  await send('message_start', { message: message(model, [], null, usage, 1) });
  for (const [index, block] of blocksOf(step).entries()) {
    const piece = (delta: object) => send('content_block_delta', { index, delta });
    if (block['type'] === 'text') {
      const text = String(block['text']);
      await send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      if (index === 0) await send('ping', {});
      for (let i = 0; i < text.length; i += size)
        await piece({ type: 'text_delta', text: text.slice(i, i + size) });
    } else {
      const args = JSON.stringify(block['input']);
      await send('content_block_start', { index, content_block: { ...block, input: {} } });
      for (let i = 0; i < args.length; i += size)
        await piece({ type: 'input_json_delta', partial_json: args.slice(i, i + size) });
    }
    await send('content_block_stop', { index });
  }
  await send('message_delta', {
    delta: { stop_reason: stopReason(step), stop_sequence: null },
    usage: { output_tokens: usage.completion_tokens },
  });
  await send('message_stop', {});
  res.end();
}
