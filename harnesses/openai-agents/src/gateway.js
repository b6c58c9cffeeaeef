// The harness's way out of the box: plain HTTP to the gateway through the base image's loopback
// forwarder (127.0.0.1:$AIRLOCK_FORWARD_PORT, which pipes to the gateway's unix socket), with the
// runner contract's calls Airlock's own runner makes (sandbox/src/gateway-calls.js, bundled in).
// No key and no network: the gateway injects the model key and is all the forwarder reaches.
import { gatewayCalls, isGatewayLost } from '../../../sandbox/src/gateway-calls.js';
import { log } from './log.js';

export { isGatewayLost };

/** The gateway at `baseUrl` (http://127.0.0.1:<port>): JSON calls and the turn endpoints. */
export function connectGateway(baseUrl) {
  return gatewayCalls(baseUrl, (input, init) => fetch(input, init), log);
}
