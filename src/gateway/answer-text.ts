// The assistant text of a chat-completions answer as the gateway relays it: the `message.content`
// of a JSON answer, or the `delta.content` pieces of a stream, first choice only. The session posts
// a turn's reply from this (the last answer the model gave in the turn), never from what the box
// reports, so nothing a box can write (a saved reply, a forged report) reaches the person.

/** The longest reply kept (the runner's report takes no more). */
export const MAX_ANSWER_CHARS = 200_000;

type Choice = { message?: { content?: unknown }; delta?: { content?: unknown } };

/** Collects an answer's text from SSE lines or a JSON body. */
export class AnswerText {
  private parts: string[] = [];
  private size = 0;

  /** One SSE line of a streamed answer. */
  line(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') return;
    this.add(firstChoice(data)?.delta?.content);
  }

  /** A whole (non-streamed) JSON answer. */
  json(body: string): void {
    this.add(firstChoice(body)?.message?.content);
  }

  /** The text so far, capped. */
  get text(): string {
    return this.parts.join('').slice(0, MAX_ANSWER_CHARS);
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
}

function firstChoice(json: string): Choice | undefined {
  try {
    const parsed = JSON.parse(json) as { choices?: Choice[] };
    return Array.isArray(parsed.choices) ? parsed.choices[0] : undefined;
  } catch {
    return undefined;
  }
}
