// The address-pinned web fetch (src/gateway/pinned-fetch.ts: resolve, vet every address, connect to
// the vetted one on a connection of its own) against a plain fetch of the same local page, and the
// parts between them: a plain node:http GET on a new connection (what pinning gives up: keep-alive),
// the pinned fetch by IP literal and by name (system resolver), and the pinned fetch plus the strict
// sanitizer (what the endpoint returns). Interleaved in rounds so every variant sees the same
// machine. Usage: node bench/fetch-pinned.ts [requests-per-variant]
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  pinnedFetch,
  systemResolve,
  type PinnedFetchOptions,
} from '../src/gateway/pinned-fetch.ts';
import { sanitizeBytes } from '../src/sanitize/sanitize.ts';
import { interleaved, machine, percentile } from './stats.ts';

const N = Number(process.argv[2] ?? 2000);
const ROUND = 100;

// A small carrier page: ~2 KiB of HTML.
const page = `<!doctype html><title>Damage policy</title><h1>Damage policy</h1>${'<p>Parcels that arrive damaged are refunded in full when reported within 30 days.</p>'.repeat(24)}`;
const server = createServer((req, res) => {
  req.resume();
  res.setHeader('content-type', 'text/html');
  res.end(page);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
const byIp = new URL(`http://127.0.0.1:${port}/damage-policy`);
const byName = new URL(`http://localhost:${port}/damage-policy`);

const options = (): PinnedFetchOptions => ({
  check: () => undefined,
  // The bench's page is on loopback: named exactly, as the demo policy names its carrier.
  exact: () => true,
  resolve: systemResolve,
  signal: AbortSignal.timeout(10_000),
  maxBytes: 1_048_576,
  maxRedirects: 5,
});
const request = { method: 'GET' as const, headers: { 'user-agent': 'airlock-gateway' } };

const variants: Record<string, () => Promise<unknown>> = {
  'plain fetch (keep-alive)': async () => (await fetch(byIp)).text(),
  'node:http GET, new connection': () =>
    new Promise((resolve, reject) => {
      get(byIp, { agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).once('error', reject);
    }),
  'pinned fetch, IP literal': () => pinnedFetch(byIp, request, options()),
  'pinned fetch, name (system resolver)': () => pinnedFetch(byName, request, options()),
  'pinned fetch + strict sanitizer': async () => {
    const answer = await pinnedFetch(byIp, request, options());
    return sanitizeBytes(answer.body, { level: 'strict', maxLength: 1_048_576 });
  },
};

const samples = await interleaved(variants, N, ROUND);
server.close();
server.closeAllConnections();

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const base = samples['plain fetch (keep-alive)'] ?? [];
const base50 = percentile(base, 50);
const base99 = percentile(base, 99);
console.log(
  `### Address-pinned fetch against a plain fetch (\`node bench/fetch-pinned.ts ${N}\`)\n\n${machine()}; the same ${page.length}-byte local page, N=${N} per variant, interleaved in rounds of ${ROUND}.\n`,
);
console.log('| variant | p50 | p99 | p50 ÷ plain | p99 ÷ plain |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, xs] of Object.entries(samples)) {
  const p50 = percentile(xs, 50);
  const p99 = percentile(xs, 99);
  console.log(
    `| ${name} | ${us(p50)} | ${us(p99)} | ${(p50 / base50).toFixed(2)}× | ${(p99 / base99).toFixed(2)}× |`,
  );
}
