// The OpenAI Responses API (`POST /v1/responses`) as the proxy speaks it: the allow-list
// (model-responses-request.ts), `store: false` always (nothing kept at the provider), and its
// answers read from a `response` object or from the stream's events: text from
// `response.output_text.delta`, tool calls from `response.output_item.added` (the name) and
// `response.function_call_arguments.delta`, usage from `response.completed` (or `.incomplete`).
import { AnswerCollector } from './answer-text.ts';
import { errorBody } from './edge.ts';
import { count, jsonObject, sseData, type ModelApi, type WireReader } from './model-apis.ts';
import { responsesRequest } from './model-responses-request.ts';

type Item = { type?: unknown; name?: unknown; arguments?: unknown; content?: unknown };

class ResponsesReader extends AnswerCollector implements WireReader {
  tokens: number | undefined;

  line(line: string): void {
    const event = sseData(line);
    const at = typeof event?.['output_index'] === 'number' ? event['output_index'] : -1;
    switch (event?.['type']) {
      case 'response.output_text.delta':
        return this.addText(event['delta']);
      case 'response.output_item.added': {
        const item = event['item'] as Item | undefined;
        if (item?.type === 'function_call') this.addTool(at, item.name, item.arguments);
        return;
      }
      case 'response.function_call_arguments.delta':
        return this.addTool(at, undefined, event['delta']);
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        return this.usage(event['response']);
    }
  }

  json(body: string): void {
    const response = jsonObject(body);
    const output = response?.['output'];
    if (Array.isArray(output))
      output.forEach((item: Item, at) => {
        if (item?.type === 'function_call') this.addTool(at, item.name, item.arguments);
        if (item?.type === 'message' && Array.isArray(item.content))
          for (const part of item.content as { type?: unknown; text?: unknown }[])
            if (part?.type === 'output_text') this.addText(part.text);
      });
    this.usage(response);
  }

  private usage(response: unknown): void {
    const usage = (response as { usage?: Record<string, unknown> | null } | undefined)?.usage;
    if (usage && typeof usage === 'object')
      this.tokens = count(usage['input_tokens']) + count(usage['output_tokens']);
  }
}

/** OpenAI's Responses API. */
export const responses: ModelApi<typeof responsesRequest> = {
  name: 'responses',
  title: 'the OpenAI Responses API',
  upstreamPath: '/responses',
  schema: responsesRequest,
  prepare: (body) => {
    // Stored responses could be named later by anything holding the same key: keep none.
    body.store = false;
  },
  headers: {},
  credential: (found) => found,
  reader: () => new ResponsesReader(),
  errorBody,
  // The stream's own error event: `{ type: 'error', code, message }`.
  streamError: (err) => {
    const { message, code } = errorBody(err).error;
    return `\nevent: error\ndata: ${JSON.stringify({ type: 'error', code, message, param: null })}\n\n`;
  },
};
