// The gateway's added latency per model call (issue 19): the same chat-completions request, the
// runner's shape (system prompt, a history with a tool call and result, six tools), sent (1)
// straight to the stand-in model, (2) through `main`'s gateway (no allow-list, no limits; its
// server.ts and model-proxy.ts read with `git show main:…` into .data/, their other imports
// pointed at this tree's files, which the change left as they were) and
// (3) through this tree's gateway, over its unix socket as the runner does. Keep-alive clients,
// rounds interleaved in rotating order; JSON and streaming answers, a short and a long history.
// Goal: added p50 ≤ 50 ms.
// Usage: node bench/model-proxy.ts [rounds=300] [ref=main]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startModelStandin } from '../src/dev/model-standin.ts';
import { createMemoryInbox } from '../src/gateway/inbox.ts';
import { createGateway, type Gateway } from '../src/gateway/server.ts';
import type { GatewayOptions } from '../src/gateway/types.ts';
import { createLogger } from '../src/log.ts';
import { modelAgent, modelKeyVault } from '../test/helpers/gateway.ts';
import { machine, ms, percentile } from './stats.ts';

const rounds = Number(process.argv[2] ?? 300);
const ref = process.argv[3] ?? 'main';
const warmup = 20;
const root = fileURLToPath(new URL('..', import.meta.url));
const key = `sk-bench-${randomBytes(12).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-proxy-'));
// Inside the tree (git-ignored), so `zod` and the other packages resolve from node_modules.
mkdirSync(join(root, '.data'), { recursive: true });
const oldDir = mkdtempSync(join(root, '.data', 'bench-old-gateway-'));
const cleanups: (() => Promise<unknown> | void)[] = [
  () => rmSync(dir, { recursive: true, force: true }),
  () => rmSync(oldDir, { recursive: true, force: true }),
];
const cleanup = async (): Promise<void> => {
  for (const c of cleanups.reverse()) await c();
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

const tool = (name: string) => ({
  type: 'function',
  function: {
    name,
    description: `The ${name} tool of the runner.`,
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, text: { type: 'string' } },
      required: ['path'],
      additionalProperties: false,
    },
  },
});
// One exchange of the history: a question, a tool call, its result, the answer (about 1.2 KB).
const exchange = (i: number) => [
  { role: 'user', content: `Where is my parcel A-${1000 + i}?` },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: `c${i}`, type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
    ],
  },
  { role: 'tool', tool_call_id: `c${i}`, content: 'A-1001 left the depot. '.repeat(40) },
  { role: 'assistant', content: 'It left the depot this morning.' },
];
const body = (stream: boolean, exchanges: number) => ({
  model: 'standin-1',
  messages: [
    { role: 'system', content: 'You help customers with their parcels. '.repeat(20) },
    ...Array.from({ length: exchanges }, (_, i) => exchange(i)).flat(),
    { role: 'user', content: 'bench: and when does it arrive?' },
  ],
  tools: [
    'read_file',
    'write_file',
    'list_files',
    'request_action',
    'ask_agent',
    'send_message',
  ].map(tool),
  stream,
});

type Target = { name: string; call: (stream: boolean, exchanges: number) => Promise<number> };

/** One keep-alive client; resolves with the milliseconds to the answer's last byte. */
function client(options: { socketPath?: string; port?: number; auth: string }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => agent.destroy());
  return (stream: boolean, exchanges: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body(stream, exchanges));
      const start = performance.now();
      const req = request(
        {
          agent,
          socketPath: options.socketPath,
          host: options.socketPath ? undefined : '127.0.0.1',
          port: options.port,
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: options.auth },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(performance.now() - start)
              : reject(new Error(`${res.statusCode}: ${text.slice(0, 300)}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

try {
  // main's gateway: its two files, everything else they import from this tree.
  const show = (path: string): string =>
    execFileSync('git', ['show', `${ref}:${path}`], { cwd: root })
      .toString()
      .replace(/from '\.\/(?!model-proxy\.ts')/g, `from '${join(root, 'src/gateway')}/`)
      .replace(/from '\.\.\//g, `from '${join(root, 'src')}/`);
  const oldServer = join(oldDir, 'server.ts');
  writeFileSync(join(oldDir, 'model-proxy.ts'), show('src/gateway/model-proxy.ts'));
  writeFileSync(oldServer, show('src/gateway/server.ts'));
  const old = (await import(oldServer)) as { createGateway: typeof createGateway };

  const model = await startModelStandin({
    apiKey: key,
    chunkChars: 16,
    script: [{ reusable: true, text: 'It arrives tomorrow before noon. '.repeat(8) }],
  });
  cleanups.push(() => model.close());
  // The stand-in records every request; a bench of thousands need not keep them.
  model.requests.push = () => 0;
  const agent = modelAgent('bench', model.baseUrl);
  const store = await modelKeyVault(join(dir, 'vault.json'), 'bench', key);
  // Logged at info as in production, into a sink (the cost of writing the line stays in).
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const options = (name: string): GatewayOptions => ({
    socketDir: join(dir, name),
    agent,
    runner: {
      id: 'bench',
      instructions: '',
      model: 'standin-1',
      sensitivity: 'action',
      maxSteps: 20,
      firstStepToolChoice: 'auto',
      capabilityTools: [],
      sessionId: name,
      mayAsk: [],
    },
    session: { id: name },
    store,
    logger: createLogger({ level: 'info' }, sink),
    limits: {
      maxBodyBytes: 4 * 1024 * 1024,
      modelTimeoutMs: 60_000,
      fetchTimeoutMs: 15_000,
      fetchMaxBytes: 1024 * 1024,
      inboxMaxWaitMs: 60_000,
      maxInFlight: 16,
      maxModelResponseBytes: 16 * 1024 * 1024,
    },
    inbox: createMemoryInbox(),
    requestAction: () => Promise.reject(new Error('not in this bench')),
    sendMessage: () => Promise.resolve(),
    askAgent: () => Promise.reject(new Error('not in this bench')),
  });
  const before: Gateway = await old.createGateway(options('before'));
  cleanups.push(() => before.close());
  const after: Gateway = await createGateway(options('after'));
  cleanups.push(() => after.close());

  const placeholder = 'Bearer airlock-placeholder';
  const targets: Target[] = [
    {
      name: 'direct',
      call: client({ port: Number(new URL(model.baseUrl).port), auth: `Bearer ${key}` }),
    },
    {
      name: `gateway (${ref})`,
      call: client({ socketPath: before.socketPath, auth: placeholder }),
    },
    {
      name: 'gateway (this tree)',
      call: client({ socketPath: after.socketPath, auth: placeholder }),
    },
  ].map((t) => ({ name: t.name, call: t.call }));

  const rows: string[] = [];
  // A short conversation (about 3 KB) and a long one (150 exchanges, about 190 KB).
  for (const [stream, exchanges] of [
    [false, 1],
    [true, 1],
    [false, 150],
    [true, 150],
  ] as const) {
    const size = Buffer.byteLength(JSON.stringify(body(stream, exchanges)));
    const times = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < warmup + rounds; round++) {
      // Rotate the order so none always goes first (a warm CPU cache, a quiet moment).
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(round + i) % targets.length]!;
        const took = await t.call(stream, exchanges);
        if (round >= warmup) times.get(t.name)!.push(took);
      }
    }
    const direct = percentile(times.get('direct')!, 50);
    for (const t of targets) {
      const v = times.get(t.name)!;
      const p50 = percentile(v, 50);
      const added = t.name === 'direct' ? '—' : `**${ms(p50 - direct)}**`;
      rows.push(
        `| ${stream ? 'stream' : 'JSON'}, ${(size / 1024).toFixed(0)} KiB | ${t.name} | ${ms(p50)} | ${ms(percentile(v, 99))} | ${added} |`,
      );
    }
  }
  const out = [
    `### Model call through the gateway (\`node bench/model-proxy.ts ${rounds}\`)`,
    '',
    `${machine()}; ${new Date().toISOString().slice(0, 10)}; ${rounds} calls per row after ${warmup} of warm-up, interleaved.`,
    '',
    '| answer, request | path | p50 | p99 | added p50 vs direct |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await cleanup();
}
