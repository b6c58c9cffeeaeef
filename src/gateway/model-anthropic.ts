// The Anthropic Messages API (`POST /anthropic/v1/messages` here; `/v1/messages` upstream) as the
// proxy speaks it: the allow-list (model-anthropic-request.ts), `anthropic-version` set by the
// gateway, the key as `x-api-key`, answers read from a `message` or from the stream's events
// (`content_block_start`/`_delta` for text and `tool_use` input, usage from `message_start` and the
// cumulative `message_delta`), refusals in Anthropic's error shape `{ type: 'error', error }`.
import { AnswerCollector } from './answer-text.ts';
import type { GatewayError } from './edge.ts';
import { anthropicRequest } from './model-anthropic-request.ts';
import { count, jsonObject, sseData, type ModelApi, type WireReader } from './model-apis.ts';

/** The API version the gateway speaks (the only one Anthropic has published). */
export const ANTHROPIC_VERSION = '2023-06-01';

type Block = { type?: unknown; text?: unknown; name?: unknown; input?: unknown };
type Usage = Record<string, unknown> | null | undefined;

class AnthropicReader extends AnswerCollector implements WireReader {
  private input: number | undefined;
  private output: number | undefined;
  // A tool_use block's input as it started: a call whose arguments never stream in keeps it.
  private readonly started = new Map<number, unknown>();

  get tokens(): number | undefined {
    if (this.input === undefined && this.output === undefined) return undefined;
    return (this.input ?? 0) + (this.output ?? 0);
  }

  line(line: string): void {
    const event = sseData(line);
    const at = typeof event?.['index'] === 'number' ? event['index'] : -1;
    switch (event?.['type']) {
      case 'message_start':
        return this.usage((event['message'] as { usage?: Usage } | undefined)?.usage);
      case 'content_block_start':
        return this.block(at, event['content_block'] as Block | undefined, false);
      case 'content_block_delta': {
        const delta = event['delta'] as { type?: unknown; text?: unknown; partial_json?: unknown };
        if (delta?.type === 'text_delta') this.addText(delta.text);
        if (delta?.type === 'input_json_delta') this.addTool(at, undefined, delta.partial_json);
        return;
      }
      case 'content_block_stop':
        if (this.started.has(at) && !this.hasArguments(at))
          this.addTool(at, undefined, JSON.stringify(this.started.get(at) ?? {}));
        return;
      case 'message_delta':
        return this.usage(event['usage'] as Usage);
    }
  }

  json(body: string): void {
    const message = jsonObject(body);
    const content = message?.['content'];
    if (Array.isArray(content)) content.forEach((b: Block, at) => this.block(at, b, true));
    this.usage(message?.['usage'] as Usage);
  }

  private block(at: number, block: Block | undefined, whole: boolean): void {
    if (block?.type === 'text') this.addText(block.text);
    if (block?.type !== 'tool_use') return;
    if (whole) this.addTool(at, block.name, JSON.stringify(block.input ?? {}));
    else {
      this.addTool(at, block.name, undefined);
      this.started.set(at, block.input);
    }
  }

  // Usage in a stream is cumulative: message_start has the input, each message_delta the output so
  // far (and, lately, the input again). Cache writes and reads are input tokens too.
  private usage(usage: Usage): void {
    if (!usage || typeof usage !== 'object') return;
    if (typeof usage['input_tokens'] === 'number')
      this.input =
        usage['input_tokens'] +
        count(usage['cache_creation_input_tokens']) +
        count(usage['cache_read_input_tokens']);
    if (typeof usage['output_tokens'] === 'number') this.output = usage['output_tokens'];
  }
}

/** Anthropic's error `type` for a status. */
function errorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
  };
  return types[status] ?? 'api_error';
}

/** A refusal in Anthropic's shape; `code` is the gateway's own, for clients that look. */
function anthropicError(err: GatewayError): object {
  return {
    type: 'error',
    error: { type: errorType(err.status), message: err.message, code: err.code },
  };
}

/** Anthropic's Messages API. */
export const anthropicMessages: ModelApi<typeof anthropicRequest> = {
  name: 'anthropic-messages',
  title: 'the Anthropic Messages API',
  upstreamPath: '/messages',
  schema: anthropicRequest,
  prepare: () => undefined,
  headers: { 'anthropic-version': ANTHROPIC_VERSION },
  // Anthropic takes an API key as `x-api-key`; a credential stored as a plain bearer key is sent so.
  // One stored with its own header (kind `header`) goes as stored.
  credential: (found) =>
    found.info.kind === 'bearer'
      ? { ...found, info: { ...found.info, kind: 'header', headerName: 'x-api-key' } }
      : found,
  reader: () => new AnthropicReader(),
  errorBody: anthropicError,
  streamError: (err) => `\nevent: error\ndata: ${JSON.stringify(anthropicError(err))}\n\n`,
};
