// The runner's only way out: HTTP over the gateway's unix socket (the box has no network). One
// undici Agent dials the socket for every request; the model provider and the boundary tools' MCP
// client (mcp.js) get its fetch, the loop the runner contract's calls (gateway-calls.js). No key:
// the gateway adds it.
import { Agent, fetch } from 'undici';
import { gatewayCalls, isGatewayLost } from './gateway-calls.js';

export { isGatewayLost };

/** The base URL requests name; the host part is ignored, the socket decides where they go. */
export const GATEWAY_URL = 'http://gateway';

/** Connect to the gateway on `socketPath`. */
export function connectGateway(socketPath) {
  // Time limits belong to the gateway (it caps model calls and long-polls), not to the box.
  const dispatcher = new Agent({ connect: { socketPath }, headersTimeout: 0, bodyTimeout: 0 });
  const calls = gatewayCalls(GATEWAY_URL, (input, init) => fetch(input, { ...init, dispatcher }));
  return { ...calls, close: () => dispatcher.close() };
}
