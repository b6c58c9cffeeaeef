// One JSON-RPC request to an agent, in the version the client asked for: A2A v1.0 through the
// SDK's JsonRpcTransportHandler, v0.3 (no version header, `message/send`) through its compat
// LegacyJsonRpcTransportHandler, over the same request handler. Errors carry the spec's codes:
// a body that is not JSON is -32700 (id null: none could be read); a version neither handler
// serves is VersionNotSupportedError with the request's id.
import type { AgentCard } from '@a2a-js/sdk';
import { VersionNotSupportedError } from '@a2a-js/sdk/errors';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import {
  JsonRpcTransportHandler,
  validateVersion,
  type A2ARequestHandler,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import { isLegacy } from './versions.ts';

/** JSON-RPC's parse error (the spec's -32700). */
export const PARSE_ERROR = -32700;

/** A JSON-RPC request id: a string, an integer or null. */
type RpcId = string | number | null;

/** The parsed body, its id (null when it has none that JSON-RPC allows) and method. */
export interface ParsedRpc {
  body: unknown;
  id: RpcId;
  method: string | undefined;
}

/** Parse a request body; null when it is not JSON. */
export function parseRpc(text: string): ParsedRpc | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const id =
    typeof o.id === 'string' || (typeof o.id === 'number' && Number.isInteger(o.id)) ? o.id : null;
  return { body, id, method: typeof o.method === 'string' ? o.method : undefined };
}

/** The answer to a body that is not JSON. */
export const parseErrorAnswer = (): object => ({
  jsonrpc: '2.0',
  id: null,
  error: { code: PARSE_ERROR, message: 'Parse error: the request body is not valid JSON' },
});

/** Answer one parsed request with `handler`, in `context.requestedVersion` (Major.Minor). */
export async function answerRpc(
  rpc: ParsedRpc,
  card: AgentCard,
  handler: A2ARequestHandler,
  context: ServerCallContext,
): Promise<object> {
  const version = context.requestedVersion;
  try {
    validateVersion(version, card, 'JSONRPC');
  } catch (err) {
    const error =
      err instanceof VersionNotSupportedError
        ? err
        : new VersionNotSupportedError(`A2A version ${version} is not supported`);
    return { jsonrpc: '2.0', id: rpc.id, error: JsonRpcTransportHandler.mapToJSONRPCError(error) };
  }
  const body = rpc.body as Record<string, unknown>;
  // Streaming is refused by the handler before any event, so every answer is one response.
  const answer = isLegacy(version)
    ? await new LegacyJsonRpcTransportHandler(handler).handle(body, context)
    : await new JsonRpcTransportHandler(handler).handle(body, context);
  return answer;
}
