// The gateway's tools, over MCP: the AI SDK's MCP client on the gateway's `/mcp` endpoint, its
// requests sent over the gateway socket (the same fetch as the model's). Every boundary tool
// (request_action, send_message, fetch, ask_agent, the capability tools, the granted MCP servers'
// tools) comes from its `tools/list`, read at the start of each turn; the box's own stay local.
import { createMCPClient } from '@ai-sdk/mcp';
import { GATEWAY_URL, isGatewayLost } from './gateway.js';

/** A tool's result as the model reads it: its text, an error when the gateway says so. */
function toModelOutput({ output }) {
  const parts = Array.isArray(output?.content) ? output.content : [];
  const text = parts.every((p) => p.type === 'text')
    ? parts.map((p) => p.text).join('\n')
    : JSON.stringify(parts);
  return { type: output?.isError ? 'error-text' : 'text', value: text };
}

/** The gateway's tools for `gateway` (connectGateway's), listed afresh per turn. */
export function gatewayTools(gateway) {
  let client;
  const open = async () =>
    (client ??= await createMCPClient({
      transport: { type: 'http', url: `${GATEWAY_URL}/mcp`, fetch: gateway.fetch },
      // The gateway's endpoint is stateless and initialize-based: no discovery probe first.
      protocolVersionDiscovery: false,
      clientName: 'airlock-runner',
    }));
  const drop = async () => {
    const old = client;
    client = undefined;
    await old?.close().catch(() => undefined);
  };
  const list = async () => {
    const tools = await (await open()).tools();
    for (const t of Object.values(tools)) t.toModelOutput = toModelOutput;
    return tools;
  };
  return {
    /** The tools the gateway offers now; a client that failed is replaced once (a gateway that restarted). */
    async list() {
      try {
        return await list();
      } catch (err) {
        await drop();
        if (isGatewayLost(err)) throw err;
        return list();
      }
    },
    close: drop,
  };
}
