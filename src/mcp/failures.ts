// How a failed tool call reads: one AirlockError with a code per way it can fail. A call that
// timed out or whose server went away is never retried by the hub, and the message says the
// call may still have taken effect; whatever the server said is scrubbed of its secrets.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AirlockError } from '../errors.ts';

/** The error for a `tools/call` of `tool` on `server` that threw `err`. */
export function callFailure(
  err: unknown,
  at: { server: string; tool: string; timeoutMs: number; signal?: AbortSignal },
  scrub: (text: string) => string,
): AirlockError {
  if (err instanceof AirlockError) return err;
  const what = `tool "${at.tool}" of MCP server "${at.server}"`;
  if (at.signal?.aborted) {
    return new AirlockError('mcp_aborted', `The call to ${what} was cancelled by its caller.`);
  }
  if (err instanceof McpError && err.code === (ErrorCode.RequestTimeout as number)) {
    return new AirlockError(
      'mcp_timeout',
      `${what} did not answer within ${at.timeoutMs} ms: the call was cancelled and is not retried (it may still have taken effect).`,
    );
  }
  if (err instanceof McpError && err.code === (ErrorCode.ConnectionClosed as number)) {
    return new AirlockError(
      'mcp_server_crashed',
      `MCP server "${at.server}" went away during the call to ${what}: the call is not retried (it may or may not have taken effect).`,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AirlockError('mcp_call_failed', `The call to ${what} failed: ${scrub(message)}`);
}
