// Passing a server-sent event stream through while looking at it: bytes are decoded, cut at line
// ends, and each run of complete lines is handed on at once (so events flow as they arrive) after
// `transform` (the key redaction) and `inspect` (the usage count) have seen whole lines. A line
// that never ends is flushed past 64 KiB, keeping a tail that a secret could straddle.

/** Feed chunks in, get complete-line text out. */
export class LineRelay {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private readonly inspect: (line: string) => void;
  private readonly transform: (text: string) => string;
  private readonly keepTail: number;

  constructor(
    inspect: (line: string) => void,
    transform: (text: string) => string,
    keepTail: number,
  ) {
    this.inspect = inspect;
    this.transform = transform;
    this.keepTail = keepTail;
  }

  /** The text ready to send after `chunk` (may be empty). */
  push(chunk: Uint8Array): string {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const end = this.pending.lastIndexOf('\n');
    if (end < 0) {
      if (this.pending.length <= 65_536) return '';
      const cut = this.pending.length - this.keepTail;
      const out = this.pending.slice(0, cut);
      this.pending = this.pending.slice(cut);
      return this.transform(out);
    }
    const ready = this.pending.slice(0, end + 1);
    this.pending = this.pending.slice(end + 1);
    for (const line of ready.split('\n')) this.inspect(line);
    return this.transform(ready);
  }

  /** Whatever is left at the end of the stream. */
  end(): string {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    if (rest) this.inspect(rest);
    return this.transform(rest);
  }
}

/** The `usage.total_tokens` an SSE `data:` line or a JSON body reports, if any. */
export function usageIn(text: string): number | undefined {
  if (!text.includes('"usage"')) return undefined;
  const json = text.startsWith('data:') ? text.slice(5).trim() : text;
  try {
    const usage = (JSON.parse(json) as { usage?: { total_tokens?: unknown } | null }).usage;
    return typeof usage?.total_tokens === 'number' ? usage.total_tokens : undefined;
  } catch {
    return undefined;
  }
}
