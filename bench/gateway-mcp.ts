// What the gateway's MCP endpoint adds to a tool call (issue 23): an allowed MCP tool call from the
// box, through `/mcp` (stateless: an SDK server per request) and the hub to a stdio server written
// with the SDK, against the same call made directly with the SDK's client; and Airlock's own
// `request_action` over MCP against its HTTP route. The session's policy step is a hook here (it
// executes at once, as an `allow` rule does); Temporal's part is measured by the action benches.
// Usage: node bench/gateway-mcp.ts [n=300]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createMcpHub } from '../src/mcp/hub.ts';
import { createLogger } from '../src/log.ts';
import { call, startGatewayFixture } from '../test/helpers/gateway.ts';
import { mcpClient } from '../test/helpers/gateway-mcp.ts';
import { tempVault, testServer, testServerScript } from '../test/helpers/mcp-servers/servers.ts';
import { interleaved, machine, ms, percentile } from './stats.ts';

const n = Number(process.argv[2] ?? 300);
const logger = createLogger({ level: 'warn' });
const store = tempVault();
const hub = createMcpHub({ servers: [testServer('t', ['echo'])], vault: store.vault, logger });
const fx = await startGatewayFixture({
  agent: { mcpServers: ['t'] },
  mcp: hub,
  requestAction: async (r) => {
    if (r.capability !== 'mcp:t') return { status: 'pending', id: 'action:bench' };
    const done = await hub.callTool('t', 'echo', r.body as Record<string, unknown>);
    return { status: 'executed', result: { status: 200, body: done.text, truncated: false } };
  },
});
const direct = new Client({ name: 'bench', version: '1.0.0' });
await direct.connect(
  new StdioClientTransport({ command: process.execPath, args: [testServerScript] }),
);
const box = await mcpClient(fx.gateway.socketPath);
const purpose = 'Benchmark.';
const action = { capability: 'shop', method: 'POST', path: '/x', body: {}, purpose };
try {
  const samples = await interleaved(
    {
      'SDK client → server (direct)': () =>
        direct.callTool({ name: 'echo', arguments: { message: 'hi' } }),
      'hub → server': () => hub.callTool('t', 'echo', { message: 'hi' }),
      'box → /mcp → hub → server': () =>
        box.callTool({ name: 't__echo', arguments: { message: 'hi', purpose } }),
      'request_action: POST /v1/actions': () =>
        call(fx.gateway.socketPath, 'POST', '/v1/actions', action),
      'request_action: /mcp tools/call': () =>
        box.callTool({ name: 'request_action', arguments: action }),
    },
    n,
    10,
    30,
  );
  console.log(`# gateway MCP endpoint, ${n} calls each, ${machine()}`);
  console.log('| path | p50 | p95 |\n|---|---|---|');
  for (const [name, s] of Object.entries(samples))
    console.log(`| ${name} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} |`);
  const p50 = (k: string) => percentile(samples[k] ?? [], 50);
  console.log(
    `\nadded p50 (box → /mcp → hub vs direct SDK): ${ms(p50('box → /mcp → hub → server') - p50('SDK client → server (direct)'))}`,
  );
} finally {
  await box.close();
  await direct.close();
  await fx.close();
  await hub.close();
  store.remove();
}
