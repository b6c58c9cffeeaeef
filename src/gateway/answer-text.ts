// What a model's answer said, as the gateway relays it: the text and the tool calls (name and
// arguments, streamed fragments joined). Chat completions are read here (first choice only); the
// other protocols' readers (model-responses.ts, model-anthropic.ts) fill the same collector. The
// session posts a turn's reply, and lets progress messages through, only from this: never from
// what the box reports, so nothing a box can write (a forged report or message) reaches the person.

/** The longest reply kept (the runner's report takes no more). */
export const MAX_ANSWER_CHARS = 200_000;
/** The most tool-call argument text kept per answer. */
const MAX_TOOL_CHARS = 1_000_000;

/** One model answer: its text and the tools it called. */
export interface ModelAnswer {
  text: string;
  toolCalls: { name: string; arguments: string }[];
}

type ToolCall = { index?: unknown; function?: { name?: unknown; arguments?: unknown } };
type Choice = {
  message?: { content?: unknown; tool_calls?: ToolCall[] };
  delta?: { content?: unknown; tool_calls?: ToolCall[] };
};

/**
 * What the three wire protocols' readers share: text pieces in order and tool calls by a key (an
 * index, an output index, a content block index), each capped.
 */
export class AnswerCollector {
  private parts: string[] = [];
  private size = 0;
  private toolSize = 0;
  private readonly calls = new Map<number, { name: string; arguments: string }>();

  /** The text so far, capped. */
  get text(): string {
    return this.parts.join('').slice(0, MAX_ANSWER_CHARS);
  }

  /** The answer so far. */
  get answer(): ModelAnswer {
    return { text: this.text, toolCalls: [...this.calls.values()] };
  }

  /** More of the answer's text (ignored past the cap). */
  protected addText(text: unknown): void {
    if (typeof text !== 'string' || !text || this.size > MAX_ANSWER_CHARS) return;
    this.parts.push(text);
    this.size += text.length;
  }

  /** More of tool call `at`: a piece of its name and of its arguments (either may be absent). */
  protected addTool(at: number, name: unknown, args: unknown): void {
    const found = this.calls.get(at) ?? { name: '', arguments: '' };
    if (typeof name === 'string') found.name += name;
    if (typeof args === 'string' && this.toolSize + args.length <= MAX_TOOL_CHARS) {
      found.arguments += args;
      this.toolSize += args.length;
    }
    this.calls.set(at, found);
  }

  /** Whether tool call `at` has arguments yet. */
  protected hasArguments(at: number): boolean {
    return (this.calls.get(at)?.arguments ?? '') !== '';
  }
}

/** Collects a chat-completions answer from SSE lines or a JSON body. */
export class AnswerText extends AnswerCollector {
  /** One SSE line of a streamed answer. */
  line(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') return;
    const delta = firstChoice(data)?.delta;
    this.add(delta?.content);
    this.tools(delta?.tool_calls);
  }

  /** A whole (non-streamed) JSON answer. */
  json(body: string): void {
    const message = firstChoice(body)?.message;
    this.add(message?.content);
    this.tools(message?.tool_calls);
  }

  private add(content: unknown): void {
    // OpenAI-compatible servers send a string; some send text parts.
    this.addText(
      Array.isArray(content)
        ? content
            .map((p: { type?: unknown; text?: unknown }) =>
              p?.type === 'text' && typeof p.text === 'string' ? p.text : '',
            )
            .join('')
        : content,
    );
  }

  private tools(calls: ToolCall[] | undefined): void {
    if (!Array.isArray(calls)) return;
    calls.forEach((call, i) => {
      // A stream names each call by index and sends its arguments in pieces.
      const at = typeof call?.index === 'number' ? call.index : i;
      this.addTool(at, call?.function?.name, call?.function?.arguments);
    });
  }
}

function firstChoice(json: string): Choice | undefined {
  try {
    const parsed = JSON.parse(json) as { choices?: Choice[] };
    return Array.isArray(parsed.choices) ? parsed.choices[0] : undefined;
  } catch {
    return undefined;
  }
}
