// Vault overhead: the same GET to a local server sent bare with fetch and through executeWithVault
// (store lookup + decrypt, scope check, injection, capped read, redaction), interleaved in rounds
// so both see the same machine state. Usage: node bench/vault.ts [requests-per-variant]
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { executeWithVault } from '../src/vault/execute.ts';
import { FileCredentialStore } from '../src/vault/file-store.ts';
import type { CredentialStore } from '../src/vault/types.ts';
import { interleaved } from './stats.ts';

const N = Number(process.argv[2] ?? 3000);
const ROUND = 100;
const SECRET = randomBytes(24).toString('base64');

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(
      '{"ok":true,"items":[1,2,3],"note":"a small JSON answer of about a hundred bytes......"}',
    );
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const store = new FileCredentialStore({
  path: join(mkdtempSync(join(tmpdir(), 'airlock-bench-')), 'vault.json'),
  keys: { active: randomBytes(32) },
});
for (let i = 0; i < 20; i++) {
  const scope = { hosts: ['127.0.0.1'], methods: ['GET'], paths: ['/api/**'], agents: ['bench'] };
  await store.put({ name: `cred-${i}`, kind: 'bearer', scope, secret: `${SECRET}${i}` });
}

// The same credential served from memory, to separate the file store's cost from the request path.
const resolved = await store.resolve('cred-7');
const memory: CredentialStore = {
  list: () => Promise.resolve([]),
  resolve: () => Promise.resolve(resolved),
  put: () => Promise.reject(new Error('read-only')),
  remove: () => Promise.resolve(false),
};

let seq = 0;
/** The bench agent's GET of the items with `cred-7`, each with a new idempotency key. */
const itemsRequest = () => ({
  agent: 'bench',
  credential: 'cred-7',
  method: 'GET' as const,
  url: `${origin}/api/items`,
  idempotencyKey: `k${seq++}`,
});
const variants: Record<string, () => Promise<unknown>> = {
  'bare fetch': async () => {
    const res = await fetch(`${origin}/api/items`, {
      headers: { authorization: `Bearer ${SECRET}`, 'idempotency-key': `k${seq++}` },
    });
    return res.text();
  },
  executeWithVault: () => executeWithVault(itemsRequest(), { store }),
  'executeWithVault, in-memory store': () => executeWithVault(itemsRequest(), { store: memory }),
  'store.resolve only (file store)': () => store.resolve('cred-7'),
};

const samples = await interleaved(variants, N, ROUND);
server.close();

const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const base = [...(samples['bare fetch'] ?? [])].sort((a, b) => a - b);
console.log(
  `Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; N=${N} per variant, interleaved in rounds of ${ROUND}\n`,
);
console.log('| variant | n | p50 | p99 | mean | p50 overhead vs bare |');
console.log('|---|---|---|---|---|---|');
for (const [name, xs] of Object.entries(samples)) {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const over =
    name === 'bare fetch'
      ? '—'
      : name.startsWith('store.')
        ? '(component)'
        : `+${fmt(pct(s, 50) - pct(base, 50))}`;
  console.log(
    `| ${name} | ${s.length} | ${fmt(pct(s, 50))} | ${fmt(pct(s, 99))} | ${fmt(mean)} | ${over} |`,
  );
}
