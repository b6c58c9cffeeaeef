// What a chat-completions answer said, as the gateway relays it: the assistant text (`message.
// content` of a JSON answer, or the `delta.content` pieces of a stream; first choice only) and its
// tool calls (name and arguments, streamed fragments joined by index). The session posts a turn's
// reply, and lets progress messages through, only from this: never from what the box reports, so
// nothing a box can write (a saved reply, a forged report or message) reaches the person.

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

/** Collects an answer from SSE lines or a JSON body. */
export class AnswerText {
  private parts: string[] = [];
  private size = 0;
  private toolSize = 0;
  private readonly calls = new Map<number, { name: string; arguments: string }>();

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

  /** The text so far, capped. */
  get text(): string {
    return this.parts.join('').slice(0, MAX_ANSWER_CHARS);
  }

  /** The answer so far. */
  get answer(): ModelAnswer {
    return { text: this.text, toolCalls: [...this.calls.values()] };
  }

  private add(content: unknown): void {
    // OpenAI-compatible servers send a string; some send text parts.
    const text =
      typeof content === 'string'
        ? content
        : Array.isArray(content)
          ? content
              .map((p: { type?: unknown; text?: unknown }) =>
                p?.type === 'text' && typeof p.text === 'string' ? p.text : '',
              )
              .join('')
          : '';
    if (!text || this.size > MAX_ANSWER_CHARS) return;
    this.parts.push(text);
    this.size += text.length;
  }

  private tools(calls: ToolCall[] | undefined): void {
    if (!Array.isArray(calls)) return;
    calls.forEach((call, i) => {
      // A stream names each call by index and sends its arguments in pieces.
      const at = typeof call?.index === 'number' ? call.index : i;
      const found = this.calls.get(at) ?? { name: '', arguments: '' };
      const { name, arguments: args } = call?.function ?? {};
      if (typeof name === 'string') found.name += name;
      if (typeof args === 'string' && this.toolSize + args.length <= MAX_TOOL_CHARS) {
        found.arguments += args;
        this.toolSize += args.length;
      }
      this.calls.set(at, found);
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
