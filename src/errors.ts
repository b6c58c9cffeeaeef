// One error type for the whole project: a stable `code` that callers compare instead of using
// `instanceof`, which breaks across the workflow sandbox and process boundaries.

/** The base error of Airlock; `code` is stable and machine-readable. */
export class AirlockError extends Error {
  override readonly name: string = 'AirlockError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `err` is an AirlockError (or looks like one after crossing a boundary) with `code`. */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
