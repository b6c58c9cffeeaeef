// MCP: a granted tool call through the hub (it lists the tools first for the rug-pull check,
// validates the arguments, scrubs, caps and, for an untrusted server, sanitizes the result) against
// the same call made directly with the SDK's client, interleaved; and what a stdio server costs to
// start per session (spawn + handshake + first tools/list) against a list on one shared per worker.
// Usage: node bench/mcp-call.ts [calls-per-variant] [starts]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createLogger } from '../src/log.ts';
import { resolveCommand, defaultBinDir } from '../src/mcp/connect.ts';
import { createMcpHub } from '../src/mcp/hub.ts';
import type { McpHub } from '../src/mcp/types.ts';
import { mcpServerSchema, type McpServer } from '../src/policy/mcp-schema.ts';
import { interleaved, machine, percentile } from './stats.ts';

const N = Number(process.argv[2] ?? 2000);
const STARTS = Number(process.argv[3] ?? 10);
const script = fileURLToPath(
  new URL('../test/helpers/mcp-servers/test-server.ts', import.meta.url),
);
const logger = createLogger({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'airlock-mcp-bench-'));

const testServer = (id: string, trusted: boolean): McpServer =>
  mcpServerSchema.parse({
    id,
    command: { command: process.execPath, args: [script] },
    tools: ['echo'],
    trusted,
  });
// tools/list needs no database: the server connects to it on the first query only.
const postgres: McpServer = mcpServerSchema.parse({
  id: 'pg',
  command: { command: 'mcp-server-postgres', args: ['postgres://bench:none@127.0.0.1:1/none'] },
  tools: ['query'],
  trusted: true,
});

async function directClient(): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [script] }));
  return client;
}

const direct = await directClient();
const untrusted = createMcpHub({ servers: [testServer('u', false)], logger });
const trusted = createMcpHub({ servers: [testServer('t', true)], logger });
const args = { message: 'order A-1001, please' };
const variants: Record<string, () => Promise<unknown>> = {
  'SDK client, direct (tools/call)': () => direct.callTool({ name: 'echo', arguments: args }),
  'SDK client, direct (tools/list + tools/call)': async () => {
    await direct.listTools();
    return direct.callTool({ name: 'echo', arguments: args });
  },
  'hub.callTool, trusted server': () => trusted.callTool('t', 'echo', args),
  'hub.callTool, untrusted server (sanitized)': () => untrusted.callTool('u', 'echo', args),
};
const samples = await interleaved(variants, N, 100);

/** Time to the first tools/list of a server started for it, and of the shared one (warm). */
async function startup(server: McpServer): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  const warm: number[] = [];
  const shared: McpHub = createMcpHub({ servers: [server], logger });
  await shared.listTools([server.id]);
  for (let i = 0; i < STARTS; i++) {
    const hub = createMcpHub({ servers: [server], logger });
    const t0 = performance.now();
    await hub.listTools([server.id]);
    cold.push(performance.now() - t0);
    await hub.close();
    const t1 = performance.now();
    await shared.listTools([server.id]);
    warm.push(performance.now() - t1);
  }
  await shared.close();
  return { cold, warm };
}
/** Resident memory (MiB) of one server process after its first tools/list. */
async function rssMiB(command: string, serverArgs: string[]): Promise<number> {
  const transport = new StdioClientTransport({ command, args: serverArgs });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  const status = readFileSync(`/proc/${transport.pid}/status`, 'utf8');
  await client.close();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}
const rss = {
  'test server (node, SDK)': await rssMiB(process.execPath, [script]),
  'mcp-server-postgres': await rssMiB(resolveCommand('mcp-server-postgres', defaultBinDir), [
    postgres.command?.args[0] ?? '',
  ]),
};
const starts = {
  'test server (node, SDK)': await startup(testServer('s', true)),
  [`mcp-server-postgres (${resolveCommand('mcp-server-postgres', defaultBinDir).includes('node_modules') ? 'node_modules/.bin' : 'PATH'})`]:
    await startup(postgres),
};

await Promise.all([direct.close(), untrusted.close(), trusted.close()]);
rmSync(dir, { recursive: true, force: true });

const f = (v: number) => `${v.toFixed(2)} ms`;
const base = samples['SDK client, direct (tools/call)'] ?? [];
console.log(`Machine: ${machine()}; N=${N} calls per variant, interleaved in rounds of 100\n`);
console.log('| variant | p50 | p95 | p99 | mean | added p50 vs direct call |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, xs] of Object.entries(samples)) {
  const added = percentile(xs, 50) - percentile(base, 50);
  console.log(
    `| ${name} | ${f(percentile(xs, 50))} | ${f(percentile(xs, 95))} | ${f(percentile(xs, 99))} | ${f(xs.reduce((a, b) => a + b, 0) / xs.length)} | ${name === 'SDK client, direct (tools/call)' ? '—' : f(added)} |`,
  );
}
console.log(`\nStdio server start-up, ${STARTS} starts each (time to the first tools/list):\n`);
console.log('| server | started per session: p50 | max | shared per worker, warm: p50 | max |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, { cold, warm }] of Object.entries(starts)) {
  console.log(
    `| ${name} | ${f(percentile(cold, 50))} | ${f(Math.max(...cold))} | ${f(percentile(warm, 50))} | ${f(Math.max(...warm))} |`,
  );
}
console.log('\nResident memory of one server process after its first tools/list:\n');
for (const [name, mib] of Object.entries(rss)) console.log(`- ${name}: ${mib.toFixed(0)} MiB`);
