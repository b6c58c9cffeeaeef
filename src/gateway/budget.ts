// The per-session token budget. The gateway is bound to one session, so the count lives here,
// started from what the session already used (a restarted gateway continues, not resets). The
// check is before a call and the count after it: calls in flight together may overshoot by what
// they use, and the next call is refused.
import { GatewayError } from './edge.ts';

/** Counts a session's tokens against an optional limit. */
export class TokenBudget {
  private used: number;
  private readonly limit: number | undefined;

  constructor(limit: number | undefined, alreadyUsed = 0) {
    this.limit = limit;
    this.used = alreadyUsed;
  }

  /** Tokens used so far. */
  get total(): number {
    return this.used;
  }

  /** Throw 429 `token_budget_exhausted` once the session has used its budget. */
  check(): void {
    if (this.limit !== undefined && this.used >= this.limit) {
      throw new GatewayError(
        429,
        'token_budget_exhausted',
        `This session has used ${this.used} of its ${this.limit} tokens; no more model calls.`,
      );
    }
  }

  /** Count `tokens` more; returns the new total. */
  add(tokens: number): number {
    this.used += Math.max(0, Math.ceil(tokens));
    return this.used;
  }
}

/** A charge for a call whose upstream reported no usage: about 4 bytes a token, both ways. */
export function estimateTokens(requestBytes: number, responseBytes: number): number {
  return Math.ceil((requestBytes + responseBytes) / 4);
}
